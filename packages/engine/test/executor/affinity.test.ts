import { describe, expect, it } from 'vitest';
import { MAX_DEFER_MS, pickWaiting, type Waiting } from '../../src/executor/affinity.js';

const waiting = (...files: string[]): Waiting[] => files.map((dagFile) => ({ dagFile, waitedMs: 0 }));
const only =
  (...files: string[]) =>
  (f: string) =>
    files.includes(f);

describe('pickWaiting', () => {
  it('takes the oldest when it is of a file the runner imported, or when nothing near it suits the runner better', () => {
    expect(pickWaiting(waiting('a', 'b'), only('a', 'b'), only('a', 'b'))).toBe(0);
    expect(pickWaiting(waiting('a', 'b', 'c'), only(), only())).toBe(0);
    expect(pickWaiting([], only('a'), only('a'))).toBe(-1);
  });

  it('takes a later try of a file the runner imported over an older one it would have to import', () => {
    expect(pickWaiting(waiting('a', 'b', 'c'), only('c'), only('a', 'c'))).toBe(2);
  });

  it('leaves a file another runner imported to that runner, and takes one nobody imported yet', () => {
    expect(pickWaiting(waiting('a', 'a', 'b', 'c'), only(), only('a'))).toBe(2);
    // Nobody has the oldest's file either: the oldest it is.
    expect(pickWaiting(waiting('a', 'b'), only(), only('b'))).toBe(0);
  });

  it('looks no further than the window', () => {
    const files = waiting(...Array.from({ length: 40 }, (_, i) => `f${i}`));
    const all = (): boolean => true;
    expect(pickWaiting(files, only('f31'), all)).toBe(31);
    expect(pickWaiting(files, only('f32'), all)).toBe(0);
  });

  it('takes a try that waited long, whatever the runner imported', () => {
    const w = waiting('a', 'b');
    (w[0] as Waiting).waitedMs = MAX_DEFER_MS;
    expect(pickWaiting(w, only('b'), only('a', 'b'))).toBe(0);
  });
});
