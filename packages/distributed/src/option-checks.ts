import { InvalidDistributedOptionError } from './errors.js';

/** Validators shared by the option resolvers of this package; each throws InvalidDistributedOptionError. */
export function optionsObject(component: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null) throw new InvalidDistributedOptionError(component, 'options', 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidDistributedOptionError(component, key, `one of the options ${known.join(', ')}`, key);
  }
}

export function intOption(component: string, option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) throw new InvalidDistributedOptionError(component, option, `an integer from ${min}`, value);
  return value as number;
}

export function stringOption(component: string, option: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new InvalidDistributedOptionError(component, option, 'a non-empty string', value);
  return value;
}

export function functionOption<F>(component: string, option: string, value: unknown, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new InvalidDistributedOptionError(component, option, 'a function', value);
  return value as F;
}

/** BullMQ key prefixes end up in Redis keys as `<prefix>:<queue>:...`. */
export function prefixOption(component: string, value: unknown): string {
  const p = stringOption(component, 'prefix', value, 'updraft');
  if (p.includes(':') || /\s/.test(p)) throw new InvalidDistributedOptionError(component, 'prefix', 'a key prefix without ":" or spaces', p);
  return p;
}

/** The default warning sink: Node's process warnings, printed once each on stderr. */
export function emitWarning(message: string): void {
  process.emitWarning(message, { code: 'UPDRAFT_DISTRIBUTED' });
}
