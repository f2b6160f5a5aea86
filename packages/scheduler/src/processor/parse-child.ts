/**
 * The DAG processor's child process: imports DAG files one at a time and sends back their serialized structure
 * or their import error. User code runs only here, so a file that hangs or crashes costs the processor a child,
 * not itself.
 */
import { serializeDag } from '@updraft/core';
import { DagImportError, loadDagFile } from '@updraft/engine';
import type { ParseChildMessage, ParseRequest } from './protocol.js';

const send = (m: ParseChildMessage): void => {
  process.send?.(m);
};

process.on('message', (raw: ParseRequest) => {
  if (raw?.type !== 'parse') return;
  const started = performance.now();
  loadDagFile(raw.file)
    .then((dags) => send({ type: 'result', id: raw.id, file: raw.file, dags: dags.map(serializeDag), error: null, durationMs: performance.now() - started }))
    .catch((e: unknown) => {
      const error =
        e instanceof DagImportError
          ? { message: e.message, line: e.line, stack: e.cause instanceof Error ? (e.cause.stack ?? null) : null }
          : { message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), line: null, stack: e instanceof Error ? (e.stack ?? null) : null };
      send({ type: 'result', id: raw.id, file: raw.file, dags: [], error, durationMs: performance.now() - started });
    });
});
// The parent went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
