import type { RecyclePolicy, RecycleReason } from './protocol.js';

/** The real environment object, and the keys written or deleted through `process.env` since the last restore. */
let watched: Watched | null = null;

interface Watched {
  env: NodeJS.ProcessEnv;
  proxy: NodeJS.ProcessEnv;
  touched: Set<string>;
}

/**
 * Makes `process.env` a proxy of itself that notes every key written, deleted or defined through it, so that a
 * try's changes can be put back without reading the whole environment: each variable read goes to the C library's
 * `getenv`, which scans the environment, and comparing all of them after every try cost a runner 0.1 ms a try.
 * Called once, before any task code runs, so every reference task code can hold is the proxy. Idempotent.
 */
export function watchEnvironment(): Watched {
  if (watched) return watched;
  const env = process.env;
  const touched = new Set<string>();
  const note = (key: string | symbol): void => {
    if (typeof key === 'string') touched.add(key);
  };
  const proxy = new Proxy(env, {
    set(target, key, value) {
      note(key);
      return Reflect.set(target, key, value);
    },
    deleteProperty(target, key) {
      note(key);
      return Reflect.deleteProperty(target, key);
    },
    defineProperty(target, key, descriptor) {
      note(key);
      return Reflect.defineProperty(target, key, descriptor);
    },
  });
  watched = { env, proxy, touched };
  process.env = proxy;
  return watched;
}

/**
 * What a runner process looks like between tries: its environment, working directory and the resources that keep
 * its event loop alive. Taken before a try, it puts back what the try changed and tells whether the try left
 * something running that could reach the next one.
 */
export class ProcessSnapshot {
  readonly #env: Record<string, string | undefined>;
  readonly #cwd: string;
  readonly #watched: Watched;
  #resources: Map<string, number>;

  /** Takes the snapshot, watching the environment from now on if nothing did yet (see {@link watchEnvironment}). */
  constructor() {
    this.#watched = watchEnvironment();
    this.#env = { ...process.env };
    this.#cwd = process.cwd();
    this.#resources = countResources();
    this.#watched.touched.clear();
  }

  /**
   * Counts the resources again, keeping the environment and the working directory: a runner takes its snapshot at
   * its first try, every try puts them back, and copying the environment for each try would cost more than the try.
   */
  recount(): void {
    this.#resources = countResources();
  }

  /**
   * Puts the environment variables and the working directory back as they were: the variables written since the
   * last restore, and `process.env` itself when the task replaced it.
   */
  restore(): void {
    const w = this.#watched;
    for (const key of w.touched) {
      const value = this.#env[key];
      if (value === undefined) delete w.env[key];
      else if (w.env[key] !== value) w.env[key] = value;
    }
    w.touched.clear();
    if (process.env !== w.proxy) process.env = w.proxy;
    if (process.cwd() !== this.#cwd) {
      try {
        process.chdir(this.#cwd);
      } catch {
        // The folder is gone; the next try starts wherever the task left the process (it reports its own paths).
      }
    }
  }

  /**
   * True when more timers, sockets, child processes or other referenced handles are alive than before the try:
   * the try left work running whose callbacks could log into, or act during, the next try.
   */
  leftHandles(): boolean {
    for (const [type, n] of countResources()) if (n > (this.#resources.get(type) ?? 0)) return true;
    return false;
  }
}

/** Handles and requests of the runner's own IPC channel and stdio, which come and go with every message. */
const OWN = new Set(['PipeWrap', 'WriteWrap', 'ShutdownWrap', 'CloseReq']);

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (!OWN.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What ended the try, as far as the runner's reuse is concerned. */
export interface TryEnding {
  /** The try was stopped with SIGTERM (a timeout or `terminate()`): the executor kills the runner anyway. */
  terminated: boolean;
  /** An error escaped the task (a stray callback): the process may be in any state. */
  uncaught: boolean;
  /** The try left handles alive, or replaced the output capture. */
  leftovers: boolean;
}

/** Whether a runner that has run `tries` tries exits after this one, and why; null to take the next try. */
export function recycleReason(policy: RecyclePolicy, tries: number, ending: TryEnding, rssBytes: number): RecycleReason | null {
  if (ending.terminated) return 'terminated';
  if (ending.uncaught) return 'uncaught-error';
  if (ending.leftovers) return 'left-handles';
  if (tries >= policy.maxTries) return 'max-tries';
  if (rssBytes > policy.maxRssBytes) return 'max-rss';
  return null;
}
