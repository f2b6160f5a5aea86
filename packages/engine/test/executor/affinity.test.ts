import { describe, expect, it } from 'vitest';
import { MAX_PASSED_OVER, pickWaiting, type Waiting } from '../../src/executor/affinity.js';

const waiting = (...files: string[]): Waiting[] => files.map((dagFile) => ({ dagFile, passedOver: 0 }));
const importedOnly =
  (...files: string[]) =>
  (f: string) =>
    files.includes(f);

describe('pickWaiting', () => {
  it('takes the oldest when it is of a file the runner imported, or when none near it is', () => {
    expect(pickWaiting(waiting('a', 'b'), importedOnly('a', 'b'))).toBe(0);
    expect(pickWaiting(waiting('a', 'b', 'c'), importedOnly('z'))).toBe(0);
    expect(pickWaiting([], importedOnly('a'))).toBe(-1);
  });

  it('takes a later try of a file the runner imported over an older one it would have to import', () => {
    expect(pickWaiting(waiting('a', 'b', 'c'), importedOnly('c'))).toBe(2);
  });

  it('looks no further than the window', () => {
    const files = waiting(...Array.from({ length: 20 }, (_, i) => `f${i}`));
    expect(pickWaiting(files, importedOnly('f7'))).toBe(7);
    expect(pickWaiting(files, importedOnly('f8'))).toBe(0);
  });

  it('takes a try passed over too often, whatever the runner imported', () => {
    const w = waiting('a', 'b');
    (w[0] as Waiting).passedOver = MAX_PASSED_OVER;
    expect(pickWaiting(w, importedOnly('b'))).toBe(0);
  });
});
