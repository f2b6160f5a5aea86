import type { LogStreamChunk, StructuredLogMessage, TaskInstancesLogResponse } from '../api/types.js';

/** A try's log as the UI holds it while lines keep coming. */
export interface LogState {
  /** The lines kept (the newest `maxLines`). */
  lines: StructuredLogMessage[];
  /** Lines dropped from the front to keep the view fast. */
  dropped: number;
  /** Byte offset after the last streamed line (the stream's event id); -1 before any stream chunk. */
  pos: number;
  /** Continuation token of the JSON log route: where the next page starts; null before any page. */
  token: string | null;
  /** The try ended and every line was read. */
  ended: boolean;
}

/** A log with nothing read yet. */
export const EMPTY_LOG: LogState = { lines: [], dropped: 0, pos: -1, token: null, ended: false };

/** Most lines kept in the view; older ones are dropped (the full log stays on the server). */
export const MAX_LOG_LINES = 20_000;

function withLines(state: LogState, lines: readonly StructuredLogMessage[], maxLines: number): Pick<LogState, 'lines' | 'dropped'> {
  if (lines.length === 0) return { lines: state.lines, dropped: state.dropped };
  const all = state.lines.concat(lines);
  const over = all.length - maxLines;
  return over > 0 ? { lines: all.slice(over), dropped: state.dropped + over } : { lines: all, dropped: state.dropped };
}

/**
 * A chunk of the live stream appended. A chunk that ends at or before what was read already (a stream that
 * reconnected and sent it again) is ignored, so no line shows twice.
 */
export function appendStreamChunk(state: LogState, chunk: LogStreamChunk, maxLines = MAX_LOG_LINES): LogState {
  if (chunk.pos <= state.pos) return state;
  return { ...state, ...withLines(state, chunk.lines, maxLines), pos: chunk.pos };
}

/** The stream's `end` event: nothing more will come. */
export function endStream(state: LogState): LogState {
  return state.ended ? state : { ...state, ended: true };
}

/**
 * A page of the JSON log route appended (the fallback when the stream cannot be used). A page with no lines
 * means the reader caught up: `ended` is then set when the try has finished.
 */
export function appendLogPage(state: LogState, page: TaskInstancesLogResponse, tryFinished: boolean, maxLines = MAX_LOG_LINES): LogState {
  const caughtUp = page.content.length === 0;
  return {
    ...state,
    ...withLines(state, page.content, maxLines),
    token: page.continuation_token ?? state.token,
    ended: caughtUp && tryFinished,
  };
}

/** One line as text: `[time] LEVEL - message` when the line has them, else the message. */
export function formatLogLine(line: StructuredLogMessage): string {
  const head = [line.timestamp ? `[${line.timestamp}]` : '', line.level ? line.level.toUpperCase() : ''].filter((s) => s !== '').join(' ');
  return head ? `${head} - ${line.event}` : line.event;
}
