import { describe, expect, it } from 'vitest';
import { DAG, findJsonProblem, normalizeParams, ParamValidationError, resolveParams, type JsonValue } from '../src/index.js';

function problemsOf(make: () => unknown): { param: string; message: string }[] {
  try {
    make();
  } catch (e) {
    expect(e).toBeInstanceOf(ParamValidationError);
    return [...(e as ParamValidationError).problems];
  }
  throw new Error('expected a ParamValidationError');
}

describe('normalizeParams', () => {
  it('turns bare values into specs with a default and keeps specs as they are', () => {
    expect(
      normalizeParams({
        epochs: 10,
        name: 'iris',
        flags: [1, 2],
        nothing: null,
        plain: { a: 1 },
        spec: { type: 'integer', default: 3, minimum: 1 },
        required: { type: 'string' },
        described: { description: 'no default' },
      }),
    ).toEqual({
      epochs: { default: 10 },
      name: { default: 'iris' },
      flags: { default: [1, 2] },
      nothing: { default: null },
      plain: { default: { a: 1 } },
      spec: { type: 'integer', default: 3, minimum: 1 },
      required: { type: 'string' },
      described: { description: 'no default' },
    });
    expect(normalizeParams(undefined)).toEqual({});
  });
});

describe('resolveParams', () => {
  const dag = new DAG({
    dagId: 'train',
    params: {
      epochs: { type: 'integer', default: 10, minimum: 1 },
      model: { type: 'string', enum: ['forest', 'tree'], default: 'forest' },
      dataset: { type: 'string' },
      tags: ['a'],
    },
  });

  it('applies defaults, then the conf over them', () => {
    expect(resolveParams('train', dag.params, { dataset: 'iris' })).toEqual({ epochs: 10, model: 'forest', dataset: 'iris', tags: ['a'] });
    expect(resolveParams('train', dag.params, { dataset: 'wine', epochs: 3, tags: [] })).toEqual({ epochs: 3, model: 'forest', dataset: 'wine', tags: [] });
  });

  it('lists every bad or missing param in one error', () => {
    const problems = problemsOf(() => resolveParams('train', dag.params, { epochs: 0, model: 'svm' }));
    expect(problems.map((p) => p.param)).toEqual(['epochs', 'model', 'dataset']);
    expect(problems[0]?.message).toMatch(/>= 1/);
    expect(problems[1]?.message).toMatch(/allowed values/);
    expect(problems[2]?.message).toMatch(/required/);
  });

  it('names the DAG and each param in the message', () => {
    expect(() => resolveParams('train', dag.params, { epochs: 'ten', dataset: 'x' })).toThrow(/DAG 'train'.*epochs: .*integer/);
  });

  it('refuses a conf that is not a JSON object, or holds non-JSON values', () => {
    expect(problemsOf(() => resolveParams('train', dag.params, [] as unknown as Record<string, JsonValue>))).toEqual([{ param: '(conf)', message: expect.stringMatching(/JSON object/) as unknown }]);
    const problems = problemsOf(() => resolveParams('train', dag.params, { dataset: 'x', when: new Date() as unknown as JsonValue, epochs: Number.NaN }));
    expect(problems.map((p) => p.param).sort()).toEqual(['epochs', 'when']);
    expect(problems.find((p) => p.param === 'when')?.message).toMatch(/Date/);
  });

  it('keeps conf keys that are not params out of the params', () => {
    expect(resolveParams('train', dag.params, { dataset: 'x', other: 1 })).not.toHaveProperty('other');
  });

  it('returns copies, so a task changing its params leaves the DAG defaults alone', () => {
    const first = resolveParams('train', dag.params, { dataset: 'x' });
    (first.tags as JsonValue[]).push('changed');
    expect(resolveParams('train', dag.params, { dataset: 'x' }).tags).toEqual(['a']);
  });

  it('accepts an empty params spec and any conf', () => {
    expect(resolveParams('d', {}, { anything: [1, { b: null }] })).toEqual({});
  });
});

describe('DAG params validation at definition time', () => {
  it('rejects defaults that are not JSON, naming the param', () => {
    const problems = problemsOf(() => new DAG({ dagId: 'd', params: { start: new Date() as unknown as JsonValue, ok: 1 } }));
    expect(problems.map((p) => p.param)).toEqual(['start']);
  });

  it('rejects schemas ajv cannot compile and defaults that break their schema', () => {
    const problems = problemsOf(() => new DAG({ dagId: 'd', params: { a: { type: 'number', default: 'x' }, b: { type: 'string', pattern: '(' } } }));
    expect(problems.map((p) => p.param)).toEqual(['a', 'b']);
    expect(problems[1]?.message).toMatch(/invalid schema/);
  });
});

describe('findJsonProblem', () => {
  it('passes plain JSON, including null-prototype objects and shared (non-circular) references', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    for (const v of [null, true, 0, -1.5, 'text', [], {}, [1, 'a', null, { b: [true] }], { a: shared, b: shared, c: [shared, shared] }, bare]) {
      expect(findJsonProblem(v)).toBeNull();
    }
  });

  class Model {
    w = 1;
  }
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  const circularArray: unknown[] = [1];
  circularArray.push([circularArray]);

  it.each<[string, unknown, string, RegExp]>([
    ['undefined', undefined, '$', /undefined/],
    ['a function', () => 1, '$', /function/],
    ['a symbol', Symbol('s'), '$', /symbol/],
    ['a bigint', 10n, '$', /bigint/],
    ['NaN', Number.NaN, '$', /NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, '$', /Infinity/],
    ['-Infinity', Number.NEGATIVE_INFINITY, '$', /-Infinity/],
    ['a Date', new Date(0), '$', /Date.*toISOString/],
    ['a Map', new Map(), '$', /Map/],
    ['a Set', new Set(), '$', /Set/],
    ['a RegExp', /x/, '$', /RegExp/],
    ['a typed array', new Float64Array(2), '$', /Float64Array/],
    ['a class instance', new Model(), '$', /Model/],
    ['an Error', new Error('x'), '$', /Error/],
    ['undefined in an object', { a: { b: undefined } }, '$.a.b', /undefined/],
    ['undefined in an array', [1, undefined], '$[1]', /undefined/],
    ['a hole in an array', [1, , 3], '$[1]', /undefined/], // eslint-disable-line no-sparse-arrays
    ['a nested function', { model: { fit: () => 0 } }, '$.model.fit', /function/],
    ['a nested NaN in an array', { weights: [0.1, Number.NaN] }, '$.weights[1]', /NaN/],
    ['an odd key', { 'a b': { 'c-d': 1n } }, '$["a b"]["c-d"]', /bigint/],
    ['a symbol key', { [Symbol('k')]: 1 }, '$', /symbol/],
    ['a circular object', circular, '$.self', /circular/],
    ['a circular array', circularArray, '$[1][0]', /circular/],
  ])('finds %s with its path', (_what, value, path, problem) => {
    const p = findJsonProblem(value);
    expect(p?.path).toBe(path);
    expect(p?.problem).toMatch(problem);
  });
});
