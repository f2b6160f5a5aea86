import type { SerializedDag } from '@updraft/core';

/** Parent to parse child: import one DAG file. */
export interface ParseRequest {
  type: 'parse';
  id: number;
  file: string;
}

/** A file's import error, as the processor stores it. */
export interface FileImportError {
  message: string;
  line: number | null;
  stack: string | null;
}

/** Parse child to parent. */
export type ParseChildMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; file: string; dags: SerializedDag[]; error: FileImportError | null; durationMs: number };
