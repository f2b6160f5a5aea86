import { SERIALIZED_DAG_VERSION, type SerializedDag } from '@updraft/core';
import type { MetadataStore } from '@updraft/store';

/**
 * Reads a DAG's serialized structure from the store, with a cache keyed by the stored hash so an unchanged DAG is
 * not parsed again.
 */
export class SerializedDagCache {
  readonly #cache = new Map<string, { hash: string; dag: SerializedDag }>();

  constructor(private readonly store: MetadataStore) {}

  /** The DAG's structure, or null when it was never parsed or has an unknown format version. */
  async get(dagId: string): Promise<SerializedDag | null> {
    const row = await this.store.getSerializedDag(dagId);
    if (!row) return null;
    const hit = this.#cache.get(dagId);
    if (hit && hit.hash === row.dagHash) return hit.dag;
    const dag = row.data as unknown as SerializedDag;
    if (typeof dag !== 'object' || dag === null || dag.version !== SERIALIZED_DAG_VERSION) return null;
    this.#cache.set(dagId, { hash: row.dagHash, dag });
    return dag;
  }
}
