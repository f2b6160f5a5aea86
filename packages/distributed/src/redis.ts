import { Redis, type RedisOptions } from 'ioredis';
import { InvalidRedisUrlError, maskRedisUrl } from './errors.js';

/** Where a Redis server is and how to log in, as read from a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  /** ACL user (Redis 6+); undefined logs in as `default`. */
  username: string | undefined;
  password: string | undefined;
  db: number;
  /** True for `rediss://` (TLS). */
  tls: boolean;
}

/**
 * Reads a Redis URL: `redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS. The user and password
 * are percent-decoded, so a password with `@`, `:` or `/` is written percent-encoded, as in any URL.
 * @throws InvalidRedisUrlError naming what is wrong.
 */
export function parseRedisUrl(url: string): RedisTarget {
  if (typeof url !== 'string' || url === '') throw new InvalidRedisUrlError(String(url), 'a redis:// or rediss:// URL');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidRedisUrlError(url, 'a URL such as redis://:password@host:6379/0');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InvalidRedisUrlError(url, 'the scheme redis:// or rediss://');
  if (u.hostname === '') throw new InvalidRedisUrlError(url, 'a host name');
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new InvalidRedisUrlError(url, 'a database number after the host, e.g. /0');
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = u.username === '' ? undefined : decodeURIComponent(u.username);
    password = u.password === '' ? undefined : decodeURIComponent(u.password);
  } catch {
    throw new InvalidRedisUrlError(url, 'a percent-encoded user and password');
  }
  // IPv6 hosts come bracketed from URL.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, username, password, db, tls: u.protocol === 'rediss:' };
}

/**
 * A new ioredis client for a URL, set up as BullMQ needs it: commands wait for a reconnection instead of failing
 * after a few retries (`maxRetriesPerRequest: null`), and reconnections go on forever with a capped backoff, so
 * a restarted Redis is picked up again.
 */
export function createRedisClient(url: string, connectionName: string): Redis {
  const t = parseRedisUrl(url);
  const options: RedisOptions = {
    host: t.host,
    port: t.port,
    db: t.db,
    connectionName,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    ...(t.username !== undefined && { username: t.username }),
    ...(t.password !== undefined && { password: t.password }),
    ...(t.tls && { tls: {} }),
  };
  const client = new Redis(options);
  // Connection errors are retried by ioredis; without a listener Node would print each of them.
  client.on('error', () => undefined);
  return client;
}

/**
 * Redis's `maxmemory-policy`, or null when the server does not say (managed services may refuse `CONFIG`). Any
 * policy other than `noeviction` lets Redis drop queued jobs when memory runs short.
 */
export async function evictionPolicy(client: Redis): Promise<string | null> {
  try {
    const info = await client.info('memory');
    const line = info.split(/\r?\n/).find((l) => l.startsWith('maxmemory_policy:'));
    if (line) return line.slice('maxmemory_policy:'.length).trim();
  } catch {
    // Fall back to CONFIG below.
  }
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch {
    // Neither INFO nor CONFIG is allowed: unknown.
  }
  return null;
}

/** The warning to print for an eviction policy, or null when it is `noeviction`. */
export function evictionWarning(policy: string | null, url: string): string | null {
  if (policy === 'noeviction') return null;
  const where = maskRedisUrl(url);
  if (policy === null) return `could not read maxmemory-policy of Redis at ${where}; it must be "noeviction", or Redis may drop queued task tries when memory runs short`;
  return `Redis at ${where} has maxmemory-policy "${policy}": it may drop queued task tries when memory runs short; set it to "noeviction" (redis-server --maxmemory-policy noeviction)`;
}
