import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoalescer } from '../src/http/coalesce.js';

describe('coalesced reads', () => {
  let app: FastifyInstance;
  let calls: string[];
  let held: (() => void)[];

  beforeEach(async () => {
    calls = [];
    held = [];
    const coalesce = createCoalescer();
    app = Fastify();
    app.get<{ Querystring: { n?: string; fail?: string; hold?: string } }>(
      '/items',
      coalesce(async (request) => {
        const call = calls.push(request.url);
        if (request.query.hold !== undefined) await new Promise<void>((resolve) => held.push(resolve));
        if (request.query.fail !== undefined) throw Object.assign(new Error('no such item'), { statusCode: 404 });
        return { n: request.query.n ?? null, call };
      }),
    );
    await app.ready();
  });
  afterEach(() => app.close());

  it('answers identical requests that arrive together from one call, and other URLs from their own', async () => {
    const answers = await Promise.all([
      app.inject({ url: '/items?n=1' }),
      app.inject({ url: '/items?n=1' }),
      app.inject({ url: '/items?n=1' }),
      app.inject({ url: '/items?n=2' }),
    ]);
    expect(calls.sort()).toEqual(['/items?n=1', '/items?n=2']);
    const bodies = answers.map((a) => a.json<{ n: string }>());
    expect(bodies.map((b) => b.n)).toEqual(['1', '1', '1', '2']);
    expect(new Set(answers.slice(0, 3).map((a) => a.body)).size).toBe(1);
    expect(answers[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('never hands a request an answer whose reading began before it arrived', async () => {
    const first = app.inject({ url: '/items?hold' });
    await waitFor(() => held.length === 1);
    // The first call is running: a request for the same URL now gets a call of its own.
    const second = app.inject({ url: '/items?hold' });
    await waitFor(() => held.length === 2);
    for (const resume of held) resume();
    const [a, b] = await Promise.all([first, second]);
    expect(calls).toHaveLength(2);
    expect(a.json<{ call: number }>().call).toBe(1);
    expect(b.json<{ call: number }>().call).toBe(2);
  });

  it('shares an error the same way', async () => {
    const answers = await Promise.all([app.inject({ url: '/items?fail' }), app.inject({ url: '/items?fail' })]);
    expect(calls).toHaveLength(1);
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404]);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}
