import { realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { HttpError, NotFoundHttpError } from './errors.js';

/**
 * Checks path segments that came from a request (or were built from request values). Each must be a plain
 * name: not empty, not `.` or `..`, no slash, backslash or NUL. Decoding is the router's (once): a
 * double-encoded `%252e%252e` arrives as the literal name `%2e%2e` and can only name a file inside the root.
 * @throws HttpError 400 naming the bad segment.
 */
export function checkSegments(segments: readonly string[]): void {
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0') || isAbsolute(s)) {
      throw new HttpError(400, `Invalid path segment ${JSON.stringify(s)}: paths must stay inside their folder`);
    }
  }
}

/** The lexical path of `segments` under `root`, after {@link checkSegments}; stays inside `root`. */
export function joinInside(root: string, segments: readonly string[]): string {
  checkSegments(segments);
  const base = resolve(root);
  const path = resolve(join(base, ...segments));
  if (path !== base && !path.startsWith(base + sep)) throw new HttpError(400, 'Invalid path: it leaves its folder');
  return path;
}

/**
 * The real path of an existing file under `root`, following symlinks only while they stay inside the root's
 * real path. A missing file, or a link that escapes, is a 404: the caller learns nothing about the outside.
 */
export async function resolveInside(root: string, segments: readonly string[]): Promise<string> {
  const path = joinInside(root, segments);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path);
  } catch {
    throw new NotFoundHttpError('File not found');
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new NotFoundHttpError('File not found');
  return real;
}
