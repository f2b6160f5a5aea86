import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapAdmin, openUsers, UnknownUserError, UserExistsError, UserInputError, UsersFileError } from '../src/index.js';
import { TEST_SCRYPT_LOG_N } from './support/fixture.js';

describe('users file and first start', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'updraft-users-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('creates admin on first start with a random password kept only as a hash and in passwords.generated (0600)', async () => {
    const first = await bootstrapAdmin(home, { scryptLogN: TEST_SCRYPT_LOG_N });
    if (!first.created) throw new Error('expected an admin to be created');
    // base64url of at least 128 random bits.
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(statSync(first.passwordFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(first.passwordFile, 'utf8'))).toEqual({ admin: first.password });
    const usersFile = readFileSync(join(home, 'users.json'), 'utf8');
    expect(usersFile).not.toContain(first.password);
    expect(statSync(join(home, 'users.json')).mode & 0o777).toBe(0o600);
    const users = openUsers({ home });
    expect(await users.verify('admin', first.password)).toMatchObject({ username: 'admin', role: 'admin' });
    expect(await users.verify('admin', `${first.password}x`)).toBeNull();
    expect(await bootstrapAdmin(home)).toEqual({ created: false });
    const second = await bootstrapAdmin(mkdtempSync(join(home, 'other-')), { scryptLogN: TEST_SCRYPT_LOG_N });
    expect(second.created && second.password).not.toBe(first.password);
  });

  it('creates, lists, changes and deletes users, and refuses bad input', async () => {
    const users = openUsers({ home, scryptLogN: TEST_SCRYPT_LOG_N });
    const { password } = await users.create('alice', 'op');
    expect(password.length).toBeGreaterThanOrEqual(22);
    await users.create('bob', 'viewer', 'a long enough password');
    expect(users.list().map((u) => [u.username, u.role])).toEqual([
      ['alice', 'op'],
      ['bob', 'viewer'],
    ]);
    await expect(users.create('bob', 'viewer', 'another password!')).rejects.toBeInstanceOf(UserExistsError);
    await expect(users.create('carol', 'viewer', 'short')).rejects.toMatchObject({ name: 'UserInputError', field: 'password' });
    await expect(users.create('bad name', 'viewer')).rejects.toMatchObject({ field: 'username' });
    await expect(users.create('dave', 'root' as 'admin')).rejects.toBeInstanceOf(UserInputError);
    const before = users.tokenVersion('bob') ?? 0;
    await users.resetPassword('bob', 'a brand new password');
    expect(users.tokenVersion('bob')).toBe(before + 1);
    expect(await users.verify('bob', 'a long enough password')).toBeNull();
    expect(await users.verify('bob', 'a brand new password')).not.toBeNull();
    expect(users.setRole('bob', 'admin').role).toBe('admin');
    await expect(users.resetPassword('nobody')).rejects.toBeInstanceOf(UnknownUserError);
    expect(users.delete('alice')).toBe(true);
    expect(users.delete('alice')).toBe(false);
    // Another process (the CLI) sees the changes: the file is the truth.
    expect(openUsers({ home }).list().map((u) => u.username)).toEqual(['bob']);
  });

  it('names the entry and field of a bad users file', () => {
    writeFileSync(join(home, 'users.json'), JSON.stringify({ version: 1, users: [{ username: 'x', role: 'god', passwordHash: 'h', tokenVersion: 1 }] }));
    expect(() => openUsers({ home }).list()).toThrow(UsersFileError);
    expect(() => openUsers({ home }).list()).toThrow(/users\[0\]\.role/);
    writeFileSync(join(home, 'users.json'), '{not json');
    expect(() => openUsers({ home }).get('x')).toThrow(/not JSON/);
  });
});
