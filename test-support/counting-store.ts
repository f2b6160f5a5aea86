import type { MetadataStore } from '@updraft/store';

/**
 * A store that passes every call to `store` and notes the name of each method called, in order: for tests of how
 * many statements a code path costs.
 */
export function countingStore(store: MetadataStore): { store: MetadataStore; calls: string[] } {
  const calls: string[] = [];
  const counted = new Proxy(store, {
    get(target, prop, _receiver) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}
