import type { JsonValue } from '@updraft/core';

/** Identifies one XCom within a DAG run. */
export interface XComRef {
  dagId: string;
  runId: string;
  taskId: string;
  key: string;
}

/** One stored XCom. */
export interface XComEntry extends XComRef {
  value: JsonValue;
  /** The try that pushed it. */
  tryNumber: number;
}

/** Where tries put and find XComs. The in-memory one serves `dags test`; the metadata store serves the scheduler. */
export interface XComBackend {
  push(entry: XComEntry): Promise<void>;
  pull(ref: XComRef): Promise<JsonValue | undefined>;
  /** Deletes what a task pushed in a run: a new try starts clean. */
  clear(ref: Omit<XComRef, 'key'>): Promise<void>;
  list(ref: { dagId: string; runId: string }): Promise<XComEntry[]>;
}

/** XComs held in memory for one process (no persistence). */
export class MemoryXComBackend implements XComBackend {
  readonly #entries = new Map<string, XComEntry>();

  push(entry: XComEntry): Promise<void> {
    // Values are stored as parsed copies so a task cannot change a value after pushing it.
    this.#entries.set(keyOf(entry), { ...entry, value: JSON.parse(JSON.stringify(entry.value)) as JsonValue });
    return Promise.resolve();
  }

  pull(ref: XComRef): Promise<JsonValue | undefined> {
    const e = this.#entries.get(keyOf(ref));
    return Promise.resolve(e === undefined ? undefined : (JSON.parse(JSON.stringify(e.value)) as JsonValue));
  }

  clear(ref: Omit<XComRef, 'key'>): Promise<void> {
    for (const [k, e] of this.#entries) if (e.dagId === ref.dagId && e.runId === ref.runId && e.taskId === ref.taskId) this.#entries.delete(k);
    return Promise.resolve();
  }

  list(ref: { dagId: string; runId: string }): Promise<XComEntry[]> {
    const entries = [...this.#entries.values()].filter((e) => e.dagId === ref.dagId && e.runId === ref.runId);
    return Promise.resolve(entries.map((e) => ({ ...e, value: JSON.parse(JSON.stringify(e.value)) as JsonValue })));
  }
}

function keyOf(r: XComRef): string {
  return JSON.stringify([r.dagId, r.runId, r.taskId, r.key]);
}
