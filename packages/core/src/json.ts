/** A JSON value: what XComs, confs and params may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Where a value stops being JSON, and why. */
export interface JsonProblem {
  /** JSONPath-like location, `$` for the value itself. */
  path: string;
  problem: string;
}

/**
 * Finds the first part of `value` that JSON cannot carry faithfully: functions, symbols, bigints, `undefined`,
 * non-finite numbers, class instances such as Date or Map, symbol keys, and cycles.
 * Returns null when the value is plain JSON.
 */
export function findJsonProblem(value: unknown, path = '$', seen: Set<object> = new Set()): JsonProblem | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : { path, problem: `the number ${String(value)} has no JSON form` };
  }
  if (value === undefined) return { path, problem: 'undefined has no JSON form' };
  if (typeof value !== 'object') return { path, problem: `a ${typeof value} has no JSON form` };
  if (seen.has(value)) return { path, problem: 'a circular reference' };
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined) return { path: `${path}[${i}]`, problem: 'undefined has no JSON form' };
        const p = findJsonProblem(item, `${path}[${i}]`, seen);
        if (p) return p;
      }
      return null;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      const hint = value instanceof Date ? ' (use date.toISOString())' : '';
      return { path, problem: `a ${name} is not plain JSON${hint}` };
    }
    // JSON.stringify drops symbol keys without a word; losing data silently is worse than refusing it.
    const symbol = Object.getOwnPropertySymbols(value)[0];
    if (symbol !== undefined) return { path, problem: `the key ${String(symbol)} is a symbol, which JSON drops` };
    for (const [key, item] of Object.entries(value)) {
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (item === undefined) return { path: childPath, problem: 'undefined has no JSON form' };
      const p = findJsonProblem(item, childPath, seen);
      if (p) return p;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}
