import { describe, expect, it } from 'vitest';
import type { MetadataStore } from '@updraft/store';
import { ApiOptionsError, resolveApiServerOptions, type ApiServerOptions } from '../src/index.js';

const store = { listDags: () => Promise.resolve({ items: [], total: 0 }) } as unknown as MetadataStore;

describe('resolveApiServerOptions', () => {
  it('binds loopback on 8080 by default, with logs under the home and CORS off', () => {
    const o = resolveApiServerOptions({ store, home: '/srv/updraft' });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 8080, logsFolder: '/srv/updraft/logs', corsOrigins: [], maximumPageLimit: 100, bodyLimitBytes: 1024 * 1024 });
  });

  it.each<[Partial<ApiServerOptions>, string]>([
    [{ port: 70_000 }, 'port'],
    [{ port: 1.5 }, 'port'],
    [{ home: '' }, 'home'],
    [{ secretKey: 'too short' }, 'secretKey'],
    [{ corsOrigins: ['*'] }, 'corsOrigins'],
    [{ loginRateLimit: { max: 0, windowMs: 1000 } }, 'loginRateLimit'],
    [{ outputFolders: { '..': '/tmp' } }, 'outputFolders...'],
    [{ events: {} as never }, 'events'],
  ])('names the field of a bad option: %o', (bad, field) => {
    let error: unknown;
    try {
      resolveApiServerOptions({ store, home: '/srv/updraft', ...bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiOptionsError);
    expect((error as ApiOptionsError).field.startsWith(field.replace('...', ''))).toBe(true);
  });
});
