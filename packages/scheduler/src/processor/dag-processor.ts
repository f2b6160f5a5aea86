import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type SerializedDag, serializedDagToJson } from '@updraft/core';
import { listDagFiles, mightDefineDags } from '@updraft/engine';
import type { MetadataStore } from '@updraft/store';
import { FileParser, type FileParseResult } from './file-parser.js';
import type { FileImportError } from './protocol.js';

/** Options of {@link DagProcessor}. */
export interface DagProcessorOptions {
  /** The metadata store the DAGs go to. Required. */
  store: MetadataStore;
  /** Folder of DAG files. Required. */
  dagsFolder: string;
  /** Longest import of one file before it becomes an import error. Default 30 s. */
  parseTimeoutMs?: number;
  /** How often the folder is checked for new, changed and removed files. Default 1 s. */
  pollIntervalMs?: number;
  /** Every file is parsed again this often, even unchanged (its imports may have changed). Default 30 s. */
  refreshIntervalMs?: number;
  /** Parse processes working at once. Default 2. */
  parallelism?: number;
  /** A parse process is replaced after this many files. Default 100. */
  maxParsesPerProcess?: number;
  /** Paused state of a DAG seen for the first time, unless the DAG says. Default true, as Airflow. */
  dagsArePausedAtCreation?: boolean;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

type Resolved = Required<Omit<DagProcessorOptions, 'store'>> & { store: MetadataStore };

/** The one place that validates {@link DagProcessorOptions} and fills defaults. */
export function resolveDagProcessorOptions(o: DagProcessorOptions): Resolved {
  const positive = (v: number | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`DagProcessorOptions.${name} must be a positive number, got ${v}`);
    return v;
  };
  if (!o.store) throw new TypeError('DagProcessorOptions.store is required');
  if (typeof o.dagsFolder !== 'string' || o.dagsFolder === '') throw new TypeError('DagProcessorOptions.dagsFolder is required');
  return {
    store: o.store,
    dagsFolder: resolve(o.dagsFolder),
    parseTimeoutMs: positive(o.parseTimeoutMs, 30_000, 'parseTimeoutMs'),
    pollIntervalMs: positive(o.pollIntervalMs, 1000, 'pollIntervalMs'),
    refreshIntervalMs: positive(o.refreshIntervalMs, 30_000, 'refreshIntervalMs'),
    parallelism: Math.floor(positive(o.parallelism, 2, 'parallelism')),
    maxParsesPerProcess: Math.floor(positive(o.maxParsesPerProcess, 100, 'maxParsesPerProcess')),
    dagsArePausedAtCreation: o.dagsArePausedAtCreation ?? true,
    now: o.now ?? (() => new Date()),
  };
}

/** Job type of DAG processors in the store's job table, as Airflow's. */
export const DAG_PROCESSOR_JOB = 'DagProcessorJob';

interface FileState {
  mtimeMs: number;
  size: number;
  /** SHA-256 of the file's text. */
  hash: string;
  parsedAt: number;
  dagIds: string[];
}

/** What one pass over the folder did. */
export interface ProcessorPassResult {
  parsed: string[];
  removed: string[];
  importErrors: number;
  dags: number;
}

/**
 * The DAG processor: imports DAG files in child processes, stores each DAG's serialized structure, records import
 * errors with their file and line, and marks the DAGs of removed files stale. Only it and the task runner import
 * user code.
 */
export class DagProcessor {
  readonly options: Resolved;
  readonly #files = new Map<string, FileState>();
  readonly #parsers: FileParser[];
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<ProcessorPassResult> | null = null;
  #stopped = false;
  #jobId: number | null = null;

  constructor(options: DagProcessorOptions) {
    this.options = resolveDagProcessorOptions(options);
    this.#parsers = Array.from({ length: this.options.parallelism }, () => new FileParser({ timeoutMs: this.options.parseTimeoutMs, maxParses: this.options.maxParsesPerProcess }));
  }

  /** Checks the folder once: parses new and changed files, forgets removed ones. Concurrent calls share one pass. */
  processOnce(): Promise<ProcessorPassResult> {
    this.#pass ??= this.#doPass().finally(() => {
      this.#pass = null;
    });
    return this.#pass;
  }

  /**
   * Registers the processor's job (the API's health check reads its heartbeat), processes the folder now and then
   * every `pollIntervalMs` until {@link stop}.
   */
  async start(): Promise<ProcessorPassResult> {
    const job = await this.options.store.startJob({ jobType: DAG_PROCESSOR_JOB, hostname: hostname(), pid: process.pid, at: this.options.now() });
    this.#jobId = job.id;
    const first = await this.processOnce();
    const loop = (): void => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        this.processOnce().then(loop, (e: unknown) => {
          process.emitWarning(`DAG processor pass failed: ${(e as Error).message}`);
          loop();
        });
      }, this.options.pollIntervalMs);
    };
    loop();
    return first;
  }

  /** Stops polling and the parse processes; waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass?.catch(() => undefined);
    for (const p of this.#parsers) p.close();
    if (this.#jobId !== null) await this.options.store.endJob(this.#jobId, 'success', this.options.now());
    this.#jobId = null;
  }

  async #doPass(): Promise<ProcessorPassResult> {
    const { store, dagsFolder } = this.options;
    const now = this.options.now();
    const listed = await listDagFiles(dagsFolder, { safeMode: false }).catch(() => [] as string[]);
    const current = new Set(listed);
    const toParse: { file: string; state: Omit<FileState, 'dagIds' | 'parsedAt'> }[] = [];
    for (const file of listed) {
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      const known = this.#files.get(file);
      const due = !known || now.getTime() - known.parsedAt >= this.options.refreshIntervalMs;
      if (known && !due && known.mtimeMs === info.mtimeMs && known.size === info.size) continue;
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) continue;
      const hash = createHash('sha256').update(text).digest('hex');
      if (!mightDefineDags(text)) {
        // Not a DAG file (safe mode): remember it so it is not read again until it changes.
        this.#files.set(file, { mtimeMs: info.mtimeMs, size: info.size, hash, parsedAt: now.getTime(), dagIds: [] });
        if (known && known.dagIds.length > 0) toParse.push({ file, state: { mtimeMs: info.mtimeMs, size: info.size, hash } });
        continue;
      }
      if (known && !due && known.hash === hash) {
        known.mtimeMs = info.mtimeMs;
        known.size = info.size;
        continue;
      }
      toParse.push({ file, state: { mtimeMs: info.mtimeMs, size: info.size, hash } });
    }
    const removed = [...this.#files.keys()].filter((f) => !current.has(f));
    for (const f of removed) {
      this.#files.delete(f);
      await store.replaceImportErrors(f, []);
    }

    const results = await this.#parseAll(toParse.map((t) => t.file));
    let importErrors = 0;
    for (const [i, r] of results.entries()) {
      const t = toParse[i] as (typeof toParse)[number];
      const stored = await this.#store(r, now);
      importErrors += r.error || stored.duplicateError ? 1 : 0;
      this.#files.set(t.file, { ...t.state, parsedAt: now.getTime(), dagIds: stored.dagIds });
    }
    if (toParse.length > 0 || removed.length > 0) {
      await store.markStaleDags({ activeDagIds: [...this.#files.values()].flatMap((f) => f.dagIds) });
    }
    if (this.#jobId !== null) await store.heartbeatJob(this.#jobId, now);
    return { parsed: toParse.map((t) => t.file), removed, importErrors, dags: [...this.#files.values()].reduce((n, f) => n + f.dagIds.length, 0) };
  }

  async #parseAll(files: string[]): Promise<FileParseResult[]> {
    const results = new Array<FileParseResult>(files.length);
    let next = 0;
    await Promise.all(
      this.#parsers.map(async (parser) => {
        while (next < files.length) {
          const i = next++;
          results[i] = await parser.parse(files[i] as string);
        }
      }),
    );
    return results;
  }

  /** Writes one file's DAGs and import errors. A DAG id that another file already defines is an import error. */
  async #store(r: FileParseResult, now: Date): Promise<{ dagIds: string[]; duplicateError: boolean }> {
    const { store } = this.options;
    const errors: FileImportError[] = r.error ? [r.error] : [];
    const dagIds: string[] = [];
    for (const dag of r.dags) {
      const owner = [...this.#files.entries()].find(([f, s]) => f !== r.file && s.dagIds.includes(dag.dagId));
      if (owner) {
        errors.push({ message: `DAG id '${dag.dagId}' is already defined in ${owner[0]}`, line: null, stack: null });
        continue;
      }
      await this.#storeDag(dag, r, now);
      dagIds.push(dag.dagId);
    }
    await store.replaceImportErrors(r.file, errors.map((e) => ({ stackTrace: formatImportError(r.file, e), timestamp: now })));
    return { dagIds, duplicateError: errors.length > (r.error ? 1 : 0) };
  }

  async #storeDag(dag: SerializedDag, r: FileParseResult, now: Date): Promise<void> {
    const { store } = this.options;
    await store.upsertDag({
      dagId: dag.dagId,
      fileloc: r.file,
      description: dag.description,
      owners: dag.owners.join(', '),
      tags: dag.tags,
      timetableSummary: dag.schedule.kind === 'none' ? null : dag.schedule.kind === 'once' ? '@once' : dag.schedule.summary,
      maxActiveRuns: dag.maxActiveRuns,
      maxActiveTasks: dag.maxActiveTasks,
      lastParsedTime: now,
      lastParseDuration: r.durationMs / 1000,
      isPausedUponCreation: dag.isPausedUponCreation ?? this.options.dagsArePausedAtCreation,
    });
    const data = serializedDagToJson(dag);
    await store.putSerializedDag({ dagId: dag.dagId, data, dagHash: createHash('sha256').update(JSON.stringify(data)).digest('hex'), lastUpdated: now });
  }
}

/**
 * An import error as stored: `file:line: message` first, so the UI and `dags list-import-errors` can show where,
 * then the stack when there is one.
 */
export function formatImportError(file: string, e: FileImportError): string {
  return `${file}${e.line ? `:${e.line}` : ''}: ${e.message}${e.stack ? `\n\n${e.stack}` : ''}`;
}
