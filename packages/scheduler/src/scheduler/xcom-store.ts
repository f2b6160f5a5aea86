import type { JsonValue } from '@updraft/core';
import type { XComBackend, XComEntry, XComRef } from '@updraft/engine';
import type { MetadataStore } from '@updraft/store';

/** Options of {@link StoreXComBackend}. */
export interface StoreXComBackendOptions {
  /** Largest XCom as JSON bytes; the store's own limit applies when absent. */
  sizeLimitBytes?: number;
}

/** XComs kept in the metadata store, so tasks in other processes and later tries see them. */
export class StoreXComBackend implements XComBackend {
  constructor(
    private readonly store: MetadataStore,
    private readonly options: StoreXComBackendOptions = {},
  ) {}

  async push(entry: XComEntry): Promise<void> {
    const opts = this.options.sizeLimitBytes === undefined ? undefined : { sizeLimitBytes: this.options.sizeLimitBytes };
    await this.store.setXcom({ dagId: entry.dagId, runId: entry.runId, taskId: entry.taskId, key: entry.key }, entry.value, opts);
  }

  async pull(ref: XComRef): Promise<JsonValue | undefined> {
    const x = await this.store.getXcom(ref);
    return x === null ? undefined : x.value;
  }

  async clear(ref: Omit<XComRef, 'key'>): Promise<void> {
    await this.store.clearXcoms(ref);
  }

  async list(ref: { dagId: string; runId: string }): Promise<XComEntry[]> {
    const page = await this.store.listXcoms({ dagId: ref.dagId, runId: ref.runId });
    return page.items.map((x) => ({ dagId: x.dagId, runId: x.runId, taskId: x.taskId, key: x.key, value: x.value, tryNumber: 0 }));
  }
}
