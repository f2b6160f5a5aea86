import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsersFileError } from '../errors.js';

/**
 * The token secret of a home: `<home>/api-secret.key` (hex of 32 random bytes, mode 0600), created on first use.
 * Created through a hard link of a complete temporary file, so two servers starting at once agree on one secret.
 */
export function loadOrCreateSecret(home: string): Uint8Array {
  const file = join(home, 'api-secret.key');
  const read = (): Uint8Array | null => {
    try {
      const hex = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{64,}$/.test(hex)) throw new UsersFileError(file, 'expected at least 64 hex digits');
      return Buffer.from(hex, 'hex');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
  closeSync(fd);
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  const created = read();
  if (!created) throw new UsersFileError(file, 'could not be created');
  return created;
}
