import { open } from 'node:fs/promises';

/** One line of a task log, in Airflow's `StructuredLogMessage` shape. */
export interface LogLine {
  event: string;
  timestamp?: string;
  level?: string;
}

/** A chunk of a log file read from a byte offset. */
export interface LogChunk {
  /** The text read: whole lines, unless `partial` asked for the unfinished last line too. */
  text: string;
  /** Byte offset after `text`: where the next read starts. */
  next: number;
  /** Size of the file when it was read. */
  size: number;
}

/**
 * Reads the log file from byte `from`, at most `maxBytes`, ending on a line end so that a line a runner is still
 * writing is not cut in two (unless `partial`: the try has ended and nothing more comes). A missing file reads
 * as empty.
 */
export async function readLogChunk(file: string, from: number, maxBytes: number, partial: boolean): Promise<LogChunk> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', next: from, size: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.min(from, size);
    const length = Math.min(size - start, maxBytes);
    if (length <= 0) return { text: '', next: start, size };
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    let end = bytesRead;
    const lastNewline = buffer.lastIndexOf(0x0a, bytesRead - 1);
    const reachedEnd = start + bytesRead >= size;
    if (!(partial && reachedEnd)) end = lastNewline + 1;
    return { text: buffer.subarray(0, end).toString('utf8'), next: start + end, size };
  } finally {
    await handle.close();
  }
}

const LINE = /^\[(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\] ([A-Z]+) - (.*)$/s;

/** Splits log text into lines, parsing the runner's `[time] LEVEL - message` format where a line has it. */
export function parseLogLines(text: string): LogLine[] {
  if (text === '') return [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((line) => {
    const m = LINE.exec(line);
    return m ? { timestamp: m[1] as string, level: (m[2] as string).toLowerCase(), event: m[3] as string } : { event: line };
  });
}
