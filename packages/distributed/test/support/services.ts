import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPostgresStore, type MetadataStore } from '@updraft/store';
import { describe, it } from 'vitest';

/** The PostgreSQL server of the tests; each test gets a schema of its own. */
export const databaseUrl = process.env.UPDRAFT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis server of the tests; each test gets a key prefix of its own. */
export const redisUrl = process.env.UPDRAFT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.UPDRAFT_REQUIRE_SERVICES === '1';

async function unreachable(): Promise<string | undefined> {
  const reasons: string[] = [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    reasons.push(`PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(e as Error).message})`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    reasons.push(`Redis at ${redisUrl.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(e as Error).message})`);
  } finally {
    redis.disconnect();
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** Why the tests that need PostgreSQL and Redis cannot run, or undefined when both answer. */
export const skipReason = await unreachable();

/**
 * `describe` for tests that need PostgreSQL and Redis: skipped with a printed reason when either is missing, or
 * failing when `UPDRAFT_REQUIRE_SERVICES=1` (CI).
 */
export function describeWithServices(name: string, body: () => void): void {
  if (!skipReason) {
    describe(name, body);
    return;
  }
  if (required) {
    describe(name, () => {
      it(`needs PostgreSQL and Redis (UPDRAFT_REQUIRE_SERVICES=1)`, () => {
        throw new Error(skipReason);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${skipReason}. Set UPDRAFT_REQUIRE_SERVICES=1 to fail instead.`);
  describe.skip(name, body);
}

/** A name no other test (or engineer) uses at the same time. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A fresh PostgreSQL schema with Updraft's tables; `dispose` drops it. */
export async function freshSchema(): Promise<{ schema: string; url: string; open(poolSize?: number): MetadataStore; dispose(): Promise<void> }> {
  const schema = uniqueName('updraft_dist');
  const opened: MetadataStore[] = [];
  const open = (poolSize = 4): MetadataStore => {
    const s = createPostgresStore({ connectionString: databaseUrl, schema, poolSize });
    opened.push(s);
    return s;
  };
  await open(1).migrate();
  const sep = databaseUrl.includes('?') ? '&' : '?';
  return {
    schema,
    // Processes started by the tests reach the schema through the search path in the URL.
    url: `${databaseUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    open,
    async dispose() {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Deletes every Redis key under a BullMQ prefix. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  await eachRedisKey(prefix, (redis, keys) => redis.del(...keys));
}

/** How many Redis keys a BullMQ prefix has. */
export async function countRedisKeys(prefix: string): Promise<number> {
  let n = 0;
  await eachRedisKey(prefix, (_redis, keys) => {
    n += keys.length;
    return Promise.resolve(0);
  });
  return n;
}

async function eachRedisKey(prefix: string, fn: (redis: Redis, keys: string[]) => Promise<number>): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await fn(redis, keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
