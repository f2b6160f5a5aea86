import { describe, expect, it } from 'vitest';
import { NotFoundError, StoreInputError, XComTooLargeError, type JsonValue, type XComKey } from '../../src/index.js';
import { at, seedRun, useStore, type StoreSuiteTarget } from './harness.js';

const key: XComKey = { dagId: 'd', runId: 'r', taskId: 'train', key: 'return_value' };

export function xcomTests(target: StoreSuiteTarget): void {
  const t = useStore(target);

  it('round-trips every kind of JSON value, including a JSON string and null', async () => {
    await seedRun(t.store, 'd', 'r');
    const values: JsonValue[] = [null, true, false, 0, -1.25, 1e300, '', 'a "quoted" ✓ string', '42', [], {}, [1, [2, [3]]], { b: 1, a: { c: null } }];
    for (const [i, value] of values.entries()) {
      await t.store.setXcom({ ...key, key: `k${i}` }, value);
      const read = await t.store.getXcom({ ...key, key: `k${i}` });
      expect(read?.value).toEqual(value);
    }
    const obj = await t.store.getXcom({ ...key, key: `k${values.length - 1}` });
    expect(Object.keys(obj?.value as object)).toEqual(['b', 'a']);
    expect(await t.store.getXcom({ ...key, key: 'missing' })).toBeNull();
  });

  it('overwrites a key, keeps map indexes apart and stamps the store clock', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.setXcom(key, 1);
    t.clock = at(3);
    await t.store.setXcom(key, 2);
    await t.store.setXcom({ ...key, mapIndex: 0 }, 'mapped');
    expect(await t.store.getXcom(key)).toEqual({ ...key, mapIndex: -1, value: 2, timestamp: at(3) });
    expect((await t.store.getXcom({ ...key, mapIndex: 0 }))?.value).toBe('mapped');
  });

  it('rejects values that are not plain JSON, naming where', async () => {
    await seedRun(t.store, 'd', 'r');
    const bad: [unknown, string][] = [
      [undefined, 'value'],
      [{ a: [1, Number.POSITIVE_INFINITY] }, 'value.a[1]'],
      [{ when: new Date(0) }, 'value.when'],
      [() => 1, 'value'],
      [10n, 'value'],
      [{ nested: { gone: undefined } }, 'value.nested.gone'],
    ];
    for (const [value, field] of bad) {
      const error = await t.store.setXcom(key, value as JsonValue).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreInputError);
      expect(error).toMatchObject({ field });
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(t.store.setXcom(key, cyclic as JsonValue)).rejects.toMatchObject({ field: 'value.self' });
    expect(await t.store.getXcom(key)).toBeNull();
  });

  it('refuses an XCom of an unknown run', async () => {
    await expect(t.store.setXcom(key, 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists XComs by run, task and key, paged', async () => {
    await seedRun(t.store, 'd', 'r');
    await seedRun(t.store, 'd', 'r2');
    await t.store.setXcom({ ...key, taskId: 'b', key: 'x' }, 1);
    await t.store.setXcom({ ...key, taskId: 'a', key: 'y' }, 2);
    await t.store.setXcom({ ...key, taskId: 'a', key: 'x' }, 3);
    await t.store.setXcom({ ...key, runId: 'r2', taskId: 'a', key: 'x' }, 4);
    const values = async (q: Parameters<typeof t.store.listXcoms>[0]) => (await t.store.listXcoms(q)).items.map((x) => x.value);
    expect(await values({ dagId: 'd', runId: 'r' })).toEqual([3, 2, 1]);
    expect(await values({ keys: ['x'] })).toEqual([3, 1, 4]);
    expect(await values({ taskIds: ['a'], runId: 'r' })).toEqual([3, 2]);
    expect(await values({ orderBy: 'key', direction: 'desc' })).toEqual([2, 4, 1, 3]);
    const page = await t.store.listXcoms({ limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.items.map((x) => x.value)).toEqual([1, 4]);
  });

  it('clears the XComs of one task instance only', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.setXcom(key, 1);
    await t.store.setXcom({ ...key, key: 'other' }, 2);
    await t.store.setXcom({ ...key, mapIndex: 3 }, 3);
    await t.store.setXcom({ ...key, taskId: 'eval' }, 4);
    expect(await t.store.clearXcoms(key)).toBe(2);
    expect((await t.store.listXcoms()).items.map((x) => x.value)).toEqual([4, 3]);
    expect(await t.store.clearXcoms(key)).toBe(0);
  });

  describe('size limit', () => {
    it('accepts a value at the limit and rejects one byte more, counting UTF-8 bytes', async () => {
      await seedRun(t.store, 'd', 'r');
      // JSON of 'éé' is "éé": 2 quotes + 2 two-byte characters = 6 bytes.
      await t.store.setXcom(key, 'éé', { sizeLimitBytes: 6 });
      const error = await t.store.setXcom(key, 'ééé', { sizeLimitBytes: 7 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XComTooLargeError);
      expect(error).toMatchObject({ sizeBytes: 8, limitBytes: 7, key: 'return_value', taskId: 'train' });
      expect((error as Error).message).toContain('8 bytes');
      expect((await t.store.getXcom(key))?.value).toBe('éé');
    });
  });
}

/** The store-wide default limit, set by an option. */
export function xcomLimitTests(target: StoreSuiteTarget): void {
  const t = useStore(target, { xcomSizeLimitBytes: 10 });
  it('applies the store option unless the call overrides it', async () => {
    await seedRun(t.store, 'd', 'r');
    await t.store.setXcom(key, '12345678');
    await expect(t.store.setXcom(key, '123456789')).rejects.toMatchObject({ name: 'XComTooLargeError', limitBytes: 10 });
    await t.store.setXcom(key, '123456789', { sizeLimitBytes: 11 });
  });
}
