import { SERIALIZED_DAG_VERSION, type SerializedDag } from '@updraft/core';
import type { MetadataStore } from '@updraft/store';

/**
 * Reads DAGs' serialized structure from the store, with a cache keyed by the stored hash so an unchanged DAG is
 * neither read nor parsed again: the hashes alone tell what changed.
 */
export class SerializedDagCache {
  readonly #cache = new Map<string, { hash: string; dag: SerializedDag | null }>();

  constructor(private readonly store: MetadataStore) {}

  /** The DAG's structure, or null when it was never parsed or has an unknown format version. */
  async get(dagId: string): Promise<SerializedDag | null> {
    // Not cached: the row comes with its hash, so one read does (a trigger's, or a process's first look).
    if (!this.#cache.has(dagId)) return this.#read(dagId);
    const [row] = await this.store.listSerializedDagHashes([dagId]);
    if (!row) {
      this.#cache.delete(dagId);
      return null;
    }
    return this.#load(dagId, row.dagHash);
  }

  /**
   * Brings the whole cache up to date with one read of the hashes (and one read of each DAG that changed), so
   * that {@link cached} answers for every DAG until the next refresh.
   */
  async refresh(): Promise<void> {
    const rows = await this.store.listSerializedDagHashes();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.dagId);
      await this.#load(row.dagId, row.dagHash);
    }
    for (const dagId of this.#cache.keys()) if (!seen.has(dagId)) this.#cache.delete(dagId);
  }

  /**
   * The DAG's structure as of the last {@link refresh} or {@link get}; undefined when it was not seen then (null
   * when it was seen without a usable structure).
   */
  cached(dagId: string): SerializedDag | null | undefined {
    return this.#cache.get(dagId)?.dag;
  }

  async #load(dagId: string, hash: string): Promise<SerializedDag | null> {
    const hit = this.#cache.get(dagId);
    if (hit && hit.hash === hash) return hit.dag;
    return this.#read(dagId);
  }

  async #read(dagId: string): Promise<SerializedDag | null> {
    const row = await this.store.getSerializedDag(dagId);
    if (!row) {
      this.#cache.delete(dagId);
      return null;
    }
    const data = row.data as unknown as SerializedDag;
    const dag = typeof data === 'object' && data !== null && data.version === SERIALIZED_DAG_VERSION ? data : null;
    this.#cache.set(dagId, { hash: row.dagHash, dag });
    return dag;
  }
}
