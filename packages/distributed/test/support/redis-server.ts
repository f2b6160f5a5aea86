import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Redis server of the test's own, started as .ci/services.sh starts the machine's (no RDB, no AOF). */
export interface PrivateRedis {
  url: string;
  /** `redis-cli shutdown nosave`, then the same start command: the server comes back empty. */
  restart(): void;
  /** The server's run id, new at each start. */
  runId(): string;
  stop(): void;
}

/** Why a private Redis cannot be started here, or null. */
export function privateRedisProblem(): string | null {
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server is not installed';
  if (spawnSync('redis-cli', ['--version']).status !== 0) return 'redis-cli is not installed';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `redis-server` on a free port with the flags of .ci/services.sh, so restarting it disturbs neither the
 * machine's Redis nor the tests that use it.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'updraft-redis-'));
  const cli = (...args: string[]): string => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]).stdout?.toString() ?? '';
  const start = (): void => {
    execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')]);
    const deadline = Date.now() + 30_000;
    while (!cli('ping').includes('PONG')) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      spawnSync('sleep', ['0.05']);
    }
  };
  start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart() {
      cli('shutdown', 'nosave');
      start();
    },
    runId: () => /run_id:(\w+)/.exec(cli('info', 'server'))?.[1] ?? '',
    stop() {
      cli('shutdown', 'nosave');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
