import { mkdirSync } from 'node:fs';
import type { MetadataStore } from '@updraft/store';
import type { CliConfig } from './config.js';

/**
 * Opens the configured metadata store (lazily loaded: commands that need no database never load a driver). A
 * long-running `component` names its PostgreSQL connections `updraft <component>`, so `pg_stat_activity` tells
 * the scheduler's from a worker's.
 */
export async function openConfiguredStore(config: CliConfig, options: { migrate?: boolean; component?: string } = {}): Promise<MetadataStore> {
  const { openStore, resolveStoreUrl } = await import('@updraft/store');
  mkdirSync(config.home, { recursive: true });
  const store = openStore(resolveStoreUrl({ databaseUrl: config.databaseUrl, home: config.home }), {
    ...(config.xcomSizeLimitBytes ? { xcomSizeLimitBytes: config.xcomSizeLimitBytes } : {}),
    ...(options.component ? { applicationName: `updraft ${options.component}` } : {}),
  });
  if (options.migrate) await store.migrate();
  return store;
}

/** Runs `body` with an open store, closing it after. */
export async function withStore<T>(config: CliConfig, body: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** Resolves when the process gets SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
