import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs a command `repeats` times and returns each wall time in seconds; throws when a run fails. */
export function timeCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; repeats: number; input?: string }): number[] {
  const times: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: options.cwd, env: options.env, input: options.input, encoding: 'utf8', maxBuffer: 1 << 28 });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(seconds);
  }
  return times;
}

/**
 * True when `/usr/bin/python3` can import scikit-learn and joblib (Debian's python3-sklearn), and pandas too when
 * `withPandas` (Debian's python3-pandas; the tutorial's bare-Python baseline reads its CSV with it).
 */
export function hasSklearn(withPandas = false): boolean {
  const modules = withPandas ? 'sklearn, joblib, pandas' : 'sklearn, joblib';
  return spawnSync('/usr/bin/python3', ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/** Formats a table of rows for the terminal. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const fmt = (seconds: number): string => (seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(2)} s`);
export const ratio = (baseline: number, ours: number): string => `${(baseline / ours).toFixed(2)}x`;

/** The fields of a /proc/<pid>/stat text after the command, which may hold spaces: it ends at the last ')'. */
const statFields = (text: string): string[] => text.slice(text.lastIndexOf(')') + 2).split(' ');

/** Resident memory of a process and all its descendants, in bytes, from /proc (Linux only). */
export function treeRss(root: number): { bytes: number; processes: number } {
  const stats = procStats();
  let bytes = 0;
  let processes = 0;
  for (const pid of [root, ...descendantsOf(root, stats)]) {
    const s = stats.get(pid);
    if (s) {
      bytes += s.rssBytes;
      processes += 1;
    }
  }
  return { bytes, processes };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const USER_HZ = 100;

/** One process of /proc: its parent, its command name, its CPU ticks (own, and of its reaped children), its RSS. */
interface ProcStat {
  ppid: number;
  comm: string;
  ticks: number;
  reapedTicks: number;
  rssBytes: number;
}

function procStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = statFields(text);
      const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      out.set(Number(name), {
        ppid: Number(fields[1]),
        comm,
        ticks: Number(fields[11]) + Number(fields[12]),
        reapedTicks: Number(fields[13]) + Number(fields[14]),
        rssBytes: Number(fields[21]) * 4096,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Every process below `root` in `stats`, children first. */
function descendantsOf(root: number, stats: ReadonlyMap<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU time (user + system, ms) used so far by some process trees, each split into its root and its descendants
 * (alive, or ended and reaped by the root), and by the processes whose command names start with each of
 * `commands` (database servers, whoever they serve). Differences of two readings tell what each used meanwhile.
 */
export function cpuByProcess(roots: readonly number[], commands: readonly string[]): { roots: { self: number; descendants: number }[]; commands: number[] } {
  const stats = procStats();
  const ms = (ticks: number): number => (ticks * 1000) / USER_HZ;
  return {
    roots: roots.map((root) => {
      const own = stats.get(root);
      const descendants = descendantsOf(root, stats).reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), own?.reapedTicks ?? 0);
      return { self: ms(own?.ticks ?? 0), descendants: ms(descendants) };
    }),
    commands: commands.map((c) => ms([...stats.values()].filter((s) => s.comm.startsWith(c)).reduce((sum, s) => sum + s.ticks, 0))),
  };
}

/**
 * CPU time (user + system, ms) used so far by this process's child processes, from /proc (Linux only): those alive
 * now, and those that ended and were reaped (this process's `cutime` and `cstime`). Differences of two readings tell
 * what the children used meanwhile; a child that ended meanwhile counts with its whole life.
 */
export function childrenCpuMs(): number {
  const stats = procStats();
  let ticks = stats.get(process.pid)?.reapedTicks ?? 0;
  for (const st of stats.values()) if (st.ppid === process.pid) ticks += st.ticks;
  return (ticks * 1000) / USER_HZ;
}
