import type { MetadataStore } from '@updraft/store';
import type { ApiEvent, ApiEventSource } from './events.js';
import { StorePoller } from './store-poller.js';

/**
 * Fans state changes out to live-stream clients: from the in-process source when there is one, and from
 * polling the store (for a scheduler in another process) while at least one client listens.
 */
export class LiveHub {
  readonly #listeners = new Set<(event: ApiEvent) => void>();
  readonly #store: MetadataStore;
  readonly #source: ApiEventSource | null;
  readonly #intervalMs: number;
  #unsubscribe: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #poller: StorePoller | null = null;
  #polling: Promise<void> | null = null;
  #baseline: Promise<void> = Promise.resolve();

  constructor(store: MetadataStore, source: ApiEventSource | null, intervalMs: number) {
    this.#store = store;
    this.#source = source;
    this.#intervalMs = intervalMs;
  }

  /** Adds a listener; returns its removal. The first listener starts the polling, the last one stops it. */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.#stop();
    };
  }

  /** Resolves once the store's current state is known, so that later changes are streamed. */
  whenReady(): Promise<void> {
    return this.#baseline;
  }

  /** Stops everything (server close). */
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #emit(event: ApiEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #start(): void {
    this.#unsubscribe = this.#source?.subscribe((e) => this.#emit(e)) ?? null;
    this.#poller = new StorePoller(this.#store);
    const tick = () => {
      const poller = this.#poller;
      if (!poller || this.#polling) return;
      this.#polling = poller
        .poll()
        .then((events) => {
          if (this.#poller === poller) for (const e of events) this.#emit(e);
        })
        .catch(() => undefined)
        .finally(() => {
          this.#polling = null;
        });
    };
    tick();
    this.#baseline = this.#polling ?? Promise.resolve();
    this.#timer = setInterval(tick, this.#intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#poller = null;
  }
}
