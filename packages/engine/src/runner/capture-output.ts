/** Handle on captured output. */
export interface CapturedOutput {
  /** Emits what is left of an unfinished line. */
  flush(): void;
  /**
   * Flushes, then gives `process.stdout.write` and `process.stderr.write` back their own functions. False when
   * something replaced the capture meanwhile (the task did), which is left in place.
   */
  restore(): boolean;
}

/**
 * Sends what the task writes with `console.log`, `process.stdout.write` and their stderr twins to `onLine`, one
 * call per line, instead of the process's pipes: the runner then writes those lines to the try's log in the
 * order they were written relative to the task's own log calls. Output written below JavaScript (native code,
 * a crashing Node) still reaches the pipes, which the executor reads.
 */
export function captureOutput(onLine: (source: 'stdout' | 'stderr', line: string) => void): CapturedOutput {
  const streams = (['stdout', 'stderr'] as const).map((source) => {
    const stream = process[source];
    // Node's streams take `write` from their prototype; one set on the stream itself (by a test runner) is kept.
    const own = Object.getOwnPropertyDescriptor(stream, 'write')?.value as typeof stream.write | undefined;
    let pending = '';
    const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      const lines = (pending + text).split('\n');
      pending = lines.pop() as string;
      for (const line of lines) onLine(source, line.endsWith('\r') ? line.slice(0, -1) : line);
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (typeof cb === 'function') process.nextTick(cb);
      return true;
    };
    stream.write = write;
    const flush = (): void => {
      if (pending !== '') onLine(source, pending);
      pending = '';
    };
    const restore = (): boolean => {
      flush();
      if (stream.write !== write) return false;
      if (own === undefined) delete (stream as { write?: unknown }).write;
      else stream.write = own;
      return true;
    };
    return { flush, restore };
  });
  return {
    flush: () => {
      for (const s of streams) s.flush();
    },
    restore: () => streams.map((s) => s.restore()).every(Boolean),
  };
}
