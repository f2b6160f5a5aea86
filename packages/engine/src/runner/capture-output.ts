/**
 * Sends what the task writes with `console.log`, `process.stdout.write` and their stderr twins to `onLine`, one
 * call per line, instead of the process's pipes: the runner then writes those lines to the try's log in the
 * order they were written relative to the task's own log calls. Output written below JavaScript (native code,
 * a crashing Node) still reaches the pipes, which the executor reads. Returns a function that emits what is left
 * of an unfinished line.
 */
export function captureOutput(onLine: (source: 'stdout' | 'stderr', line: string) => void): () => void {
  const flushers = (['stdout', 'stderr'] as const).map((source) => {
    const stream = process[source];
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
    return () => {
      if (pending !== '') onLine(source, pending);
      pending = '';
    };
  });
  return () => {
    for (const flush of flushers) flush();
  };
}
