import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { UnknownUserError, UserExistsError, UserInputError, UsersFileError } from '../errors.js';
import { DEFAULT_SCRYPT_LOG_N, generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { isRole, ROLES, type Role } from './roles.js';

/** A user as listings show it: never the password hash. */
export interface UserInfo {
  username: string;
  role: Role;
  createdAt: Date;
  updatedAt: Date;
}

/** A user as stored. `tokenVersion` goes into every token; changing it (password reset) revokes older tokens. */
interface UserRecord extends UserInfo {
  passwordHash: string;
  tokenVersion: number;
}

/** Options of {@link openUsers}. */
export interface UsersOptions {
  /** Updraft's home folder (`UPDRAFT_HOME`); required. */
  home: string;
  /** The users file; default `<home>/users.json`. */
  file?: string;
  /** scrypt cost as log2(N) for new hashes; default 15 (tests pass a lower one). */
  scryptLogN?: number;
}

/** The users of one Updraft home, kept in a JSON file (see ADR-001-users.md). */
export interface Users {
  /** Path of the users file. */
  readonly file: string;
  /** Every user, by username. */
  list(): UserInfo[];
  /** One user, or null. */
  get(username: string): UserInfo | null;
  /** The user's current token version, or null when the user does not exist. */
  tokenVersion(username: string): number | null;
  /** Creates a user; a random password (192 bits) is made when none is given and returned. */
  create(username: string, role: Role, password?: string): Promise<{ user: UserInfo; password: string }>;
  /** Sets a new password (random when none is given) and revokes the user's tokens. */
  resetPassword(username: string, password?: string): Promise<{ password: string }>;
  /** Changes a user's role and revokes the user's tokens. */
  setRole(username: string, role: Role): UserInfo;
  /** Deletes a user; false when there was none. */
  delete(username: string): boolean;
  /** The user when the password is right, else null. Takes as long for an unknown user as for a wrong password. */
  verify(username: string, password: string): Promise<UserInfo | null>;
}

/** Usernames: letters, digits and `_ . @ -`, 1 to 64 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
/** Shortest password a person may choose. */
export const MIN_PASSWORD_LENGTH = 10;

interface FileShape {
  version: 1;
  users: { username: string; role: string; passwordHash: string; tokenVersion: number; createdAt: string; updatedAt: string }[];
}

/** Opens the users file of a home (it need not exist yet: it is created on the first write). */
export function openUsers(options: UsersOptions): Users {
  if (typeof options.home !== 'string' || options.home === '') throw new UserInputError('home', 'a folder path');
  const file = options.file ?? join(options.home, 'users.json');
  const logN = options.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
  let cache: { mtimeMs: number; size: number; users: Map<string, UserRecord> } | null = null;
  // A hash to compare against for unknown users, so their logins cost as much as a wrong password.
  let decoy: Promise<string> | null = null;

  // Whether the file was checked in this turn of the event loop: every request checks its caller's token version,
  // and the requests that one turn handles (a burst of them) share one stat. A change shows from the next turn.
  let checkedThisTurn = false;

  /** The users, re-read when the file changed (the CLI may edit it while the server runs). */
  function load(): Map<string, UserRecord> {
    if (checkedThisTurn && cache) return cache.users;
    checkedThisTurn = true;
    setImmediate(() => {
      checkedThisTurn = false;
    });
    let stat;
    try {
      stat = statSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new UsersFileError(file, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    if (cache && cache.mtimeMs === stat.mtimeMs && cache.size === stat.size) return cache.users;
    cache = { mtimeMs: stat.mtimeMs, size: stat.size, users: parse(file, readFileSync(file, 'utf8')) };
    return cache.users;
  }

  function save(users: Map<string, UserRecord>): void {
    const shape: FileShape = {
      version: 1,
      users: [...users.values()].map((u) => ({
        username: u.username,
        role: u.role,
        passwordHash: u.passwordHash,
        tokenVersion: u.tokenVersion,
        createdAt: u.createdAt.toISOString(),
        updatedAt: u.updatedAt.toISOString(),
      })),
    };
    writeFileAtomic(file, `${JSON.stringify(shape, null, 2)}\n`);
    cache = null;
  }

  function mustGet(users: Map<string, UserRecord>, username: string): UserRecord {
    const user = users.get(username);
    if (!user) throw new UnknownUserError(username);
    return user;
  }

  return {
    file,
    list: () => [...load().values()].map(info).sort((a, b) => a.username.localeCompare(b.username)),
    get: (username) => {
      const user = load().get(username);
      return user ? info(user) : null;
    },
    tokenVersion: (username) => load().get(username)?.tokenVersion ?? null,
    async create(username, role, password) {
      checkUsername(username);
      if (!isRole(role)) throw new UserInputError('role', `one of ${ROLES.join(', ')}`);
      const chosen = password ?? generatePassword();
      checkPassword(chosen);
      const passwordHash = await hashPassword(chosen, logN);
      const users = new Map(load());
      if (users.has(username)) throw new UserExistsError(username);
      const now = new Date();
      const user: UserRecord = { username, role, passwordHash, tokenVersion: 1, createdAt: now, updatedAt: now };
      users.set(username, user);
      save(users);
      return { user: info(user), password: chosen };
    },
    async resetPassword(username, password) {
      mustGet(load(), username);
      const chosen = password ?? generatePassword();
      checkPassword(chosen);
      const passwordHash = await hashPassword(chosen, logN);
      const users = new Map(load());
      const user = mustGet(users, username);
      users.set(username, { ...user, passwordHash, tokenVersion: user.tokenVersion + 1, updatedAt: new Date() });
      save(users);
      return { password: chosen };
    },
    setRole(username, role) {
      if (!isRole(role)) throw new UserInputError('role', `one of ${ROLES.join(', ')}`);
      const users = new Map(load());
      const user = mustGet(users, username);
      const updated = { ...user, role, tokenVersion: user.tokenVersion + 1, updatedAt: new Date() };
      users.set(username, updated);
      save(users);
      return info(updated);
    },
    delete(username) {
      const users = new Map(load());
      if (!users.delete(username)) return false;
      save(users);
      return true;
    },
    async verify(username, password) {
      const user = typeof username === 'string' ? load().get(username) : undefined;
      if (!user || typeof password !== 'string') {
        decoy ??= hashPassword(generatePassword(), logN);
        await verifyPassword(typeof password === 'string' ? password : '', await decoy);
        return null;
      }
      return (await verifyPassword(password, user.passwordHash)) ? info(user) : null;
    },
  };
}

function info(u: UserRecord): UserInfo {
  return { username: u.username, role: u.role, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

function checkUsername(username: unknown): void {
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
    throw new UserInputError('username', '1 to 64 letters, digits or _ . @ -');
  }
}

function checkPassword(password: unknown): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw new UserInputError('password', `${MIN_PASSWORD_LENGTH} to 1024 characters`);
  }
}

function parse(file: string, text: string): Map<string, UserRecord> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsersFileError(file, `not JSON: ${(error as Error).message}`, { cause: error });
  }
  const shape = data as Partial<FileShape> | null;
  if (typeof shape !== 'object' || shape === null || shape.version !== 1 || !Array.isArray(shape.users)) {
    throw new UsersFileError(file, 'expected {"version": 1, "users": [...]}');
  }
  const users = new Map<string, UserRecord>();
  shape.users.forEach((u, i) => {
    const where = `users[${i}]`;
    if (typeof u !== 'object' || u === null) throw new UsersFileError(file, `${where}: expected an object`);
    if (typeof u.username !== 'string' || !USERNAME_PATTERN.test(u.username)) throw new UsersFileError(file, `${where}.username: expected a username`);
    if (!isRole(u.role)) throw new UsersFileError(file, `${where}.role: expected one of ${ROLES.join(', ')}`);
    if (typeof u.passwordHash !== 'string') throw new UsersFileError(file, `${where}.passwordHash: expected a string`);
    if (!Number.isInteger(u.tokenVersion)) throw new UsersFileError(file, `${where}.tokenVersion: expected an integer`);
    const createdAt = new Date(u.createdAt);
    const updatedAt = new Date(u.updatedAt);
    if (Number.isNaN(createdAt.getTime()) || Number.isNaN(updatedAt.getTime())) throw new UsersFileError(file, `${where}: expected ISO dates in createdAt and updatedAt`);
    if (users.has(u.username)) throw new UsersFileError(file, `${where}.username: '${u.username}' appears twice`);
    users.set(u.username, { username: u.username, role: u.role, passwordHash: u.passwordHash, tokenVersion: u.tokenVersion, createdAt, updatedAt });
  });
  return users;
}
