import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Reads a JSON fixture written by test/fixtures/generate.py; the caller states its shape. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** The digest generate.py stores for long integer lists: SHA-256 of the comma-joined decimals. */
export function digest(values: ArrayLike<number>): string {
  return createHash('sha256').update(Array.from(values).join(',')).digest('hex');
}
