import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedisClient, evictionPolicy, evictionWarning, InvalidRedisUrlError, maskRedisUrl, parseRedisUrl } from '../src/index.js';
import { describeWithServices, redisUrl } from './support/services.js';

describe('parseRedisUrl', () => {
  it('reads host, port, database, user and a percent-encoded password', () => {
    expect(parseRedisUrl('redis://bob:p%40ss%3Aw%2Frd@redis.example:6380/2')).toEqual({ host: 'redis.example', port: 6380, username: 'bob', password: 'p@ss:w/rd', db: 2, tls: false });
    expect(parseRedisUrl('redis://:secret@redis')).toEqual({ host: 'redis', port: 6379, username: undefined, password: 'secret', db: 0, tls: false });
    expect(parseRedisUrl('rediss://[::1]:7000')).toMatchObject({ host: '::1', port: 7000, tls: true });
  });

  it('refuses what is not a Redis URL, without showing the password', () => {
    for (const bad of ['', 'localhost:6379', 'http://redis:6379', 'redis://:pw@host/x', 'redis://']) {
      expect(() => parseRedisUrl(bad)).toThrow(InvalidRedisUrlError);
    }
    try {
      parseRedisUrl('redis://:hunter2secret@host/notanumber');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2secret');
      expect((e as InvalidRedisUrlError).url).toBe('redis://:***@host/notanumber');
    }
  });

  it('masks passwords in URLs', () => {
    expect(maskRedisUrl('redis://user:pw@host:1/0')).toBe('redis://user:***@host:1/0');
    expect(maskRedisUrl('redis://host:1')).toBe('redis://host:1');
  });

  it('warns about every eviction policy but noeviction', () => {
    expect(evictionWarning('noeviction', 'redis://h')).toBeNull();
    expect(evictionWarning('allkeys-lru', 'redis://:pw@h')).toMatch(/allkeys-lru.*noeviction/);
    expect(evictionWarning('allkeys-lru', 'redis://:pw@h')).not.toContain('pw@');
    expect(evictionWarning(null, 'redis://h')).toMatch(/could not read/);
  });
});

describeWithServices('Redis connections', () => {
  it('logs in with a user and a password that needs percent-encoding', async () => {
    const admin = createRedisClient(redisUrl, 'updraft-test-admin');
    const user = `updraft_test_${randomBytes(4).toString('hex')}`;
    const password = `p@ss:${randomBytes(6).toString('hex')}/x`;
    const t = parseRedisUrl(redisUrl);
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
    try {
      const good = createRedisClient(`redis://${user}:${encodeURIComponent(password)}@${t.host}:${t.port}/${t.db}`, 'updraft-test');
      expect(await good.ping()).toBe('PONG');
      good.disconnect();
      const bad = createRedisClient(`redis://${user}:wrong@${t.host}:${t.port}`, 'updraft-test');
      // A refused login is retried by ioredis; the first error says why.
      const error = await new Promise<Error>((resolve) => bad.once('error', resolve));
      bad.disconnect();
      expect(error.message).toMatch(/WRONGPASS|invalid username-password/i);
    } finally {
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
    }
  });

  it("reads the server's eviction policy", async () => {
    const client = createRedisClient(redisUrl, 'updraft-test');
    try {
      const reply = (await client.config('GET', 'maxmemory-policy'));
      expect(await evictionPolicy(client)).toBe(reply[1]);
    } finally {
      client.disconnect();
    }
  });
});
