import type { XComBackend } from '../xcom.js';
import { InvalidExecutorOptionError } from './errors.js';

/** Validators shared by the executors' option resolvers; each throws InvalidExecutorOptionError. */
export function intOption(executor: string, option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) throw new InvalidExecutorOptionError(executor, option, `an integer from ${min}`, value);
  return value as number;
}

export function booleanOption(executor: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidExecutorOptionError(executor, option, 'true or false', value);
  return value;
}

export function xcomBackendOption(executor: string, value: unknown): XComBackend {
  const b = value as Partial<XComBackend> | null | undefined;
  if (typeof b !== 'object' || b === null || (['push', 'pull', 'clear', 'list'] as const).some((m) => typeof b[m] !== 'function')) {
    throw new InvalidExecutorOptionError(executor, 'xcoms', 'an XComBackend (push, pull, clear, list)', value);
  }
  return b as XComBackend;
}

export function optionsObject(executor: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null) throw new InvalidExecutorOptionError(executor, 'options', 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidExecutorOptionError(executor, key, `one of the options ${known.join(', ')}`, key);
  }
}
