import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { HttpError } from './errors.js';
import { resolveInside } from './safe-path.js';

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.markdown': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

/** The media type an output file is served as, by its extension; `application/octet-stream` for the others. */
export function mediaType(file: string): string {
  return MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A file inside one of the server's output folders. */
export interface OutputFile {
  /** The output folder's name (a key of `outputFolders`). */
  folder: string;
  /** Path inside the folder, `/`-separated. */
  path: string;
  /** The file's real path. */
  file: string;
  /** Size in bytes. */
  size: number;
  /** When the file was last written. */
  modifiedAt: Date;
}

/**
 * Where a path that a task returned lies among the output folders, or null when it lies in none or is no file.
 * An absolute path is compared by real path (links resolved), so it matches however the folders are named and
 * cannot leave them through `..` or a link. A relative one is read as `<folder name>/<path inside>`. When output
 * folders nest, the innermost one names the file.
 */
export async function locateOutputFile(folders: Readonly<Record<string, string>>, value: string): Promise<OutputFile | null> {
  if (value === '' || value.includes('\0')) return null;
  let found: { folder: string; root: string; file: string } | null = null;
  if (isAbsolute(value)) {
    const file = await realpath(value).catch(() => null);
    if (file === null) return null;
    for (const [folder, dir] of Object.entries(folders)) {
      const root = await realpath(dir).catch(() => null);
      if (root === null || !file.startsWith(root + sep)) continue;
      if (found === null || root.length > found.root.length) found = { folder, root, file };
    }
  } else {
    const [first, ...rest] = value.split(/[\\/]+/).filter((s) => s !== '');
    const dir = first !== undefined && Object.hasOwn(folders, first) ? folders[first] : undefined;
    if (dir === undefined || rest.length === 0) return null;
    try {
      const file = await resolveInside(dir, rest);
      found = { folder: first as string, root: await realpath(dir), file };
    } catch (error) {
      if (error instanceof HttpError) return null;
      throw error;
    }
  }
  if (found === null) return null;
  const info = await stat(found.file).catch(() => null);
  if (info === null || !info.isFile()) return null;
  return { folder: found.folder, path: relative(found.root, found.file).split(sep).join('/'), file: found.file, size: info.size, modifiedAt: info.mtime };
}
