import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { init, parse } from 'es-module-lexer';

/** Bumped when the compiled output's shape changes, so stale cache entries are not reused. */
const LOADER_VERSION = '1';

/** Folder, beside each source folder, holding compiled modules (like Python's `__pycache__`). */
export const CACHE_DIR = '.updraft-cache';

const COMPILED = new Set(['.ts', '.mts', '.js', '.mjs', '.tsx', '.jsx']);

type Transform = (source: string, file: string, loader: 'ts' | 'tsx' | 'js' | 'jsx') => string;

let transformer: Transform | null = null;

/** esbuild loads only when a file must be compiled: cache hits never pay for it. */
async function getTransformer(): Promise<Transform> {
  if (transformer) return transformer;
  const esbuild = await import('esbuild');
  transformer = (source, file, loader) => {
    const url = pathToFileURL(file).href;
    return esbuild.transformSync(source, {
      loader,
      format: 'esm',
      target: 'node20',
      platform: 'node',
      sourcemap: 'inline',
      sourcefile: file,
      // The compiled module lives in the cache folder; user code must still see its own location.
      define: {
        'import.meta.url': JSON.stringify(url),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(dirname(file)),
      },
    }).code;
  };
  return transformer;
}

interface Node {
  file: string;
  source: string;
  loader: 'ts' | 'tsx' | 'js' | 'jsx';
  /** Relative specifier to the local file it names. */
  deps: Map<string, string>;
  hash: string;
  /** See {@link stampOf}, of the file and of its folder. */
  stamp: string | null;
  folderStamp: string | null;
  /** An import of it names a local file that is not there (yet): no stamp can tell when it comes. */
  unresolved: boolean;
}

/**
 * Compiles a TypeScript or JavaScript module and the local modules it imports (relative specifiers) to plain ESM in
 * `.updraft-cache` folders beside them, and returns the compiled entry's URL for `import()`. In this thread, unlike
 * a loader hook, which on Node 20 runs in its own worker thread and costs hundreds of milliseconds at every start.
 * Compiled files are named by a hash of their source and of everything they import, so a module is compiled again
 * only when it or one of its imports changed, and processes sharing a folder never overwrite each other's output.
 */
export async function compileModuleGraph(entry: string): Promise<string> {
  const path = resolve(entry);
  const seen = compiled.get(path);
  if (seen && [...seen.stamps].every(([file, stamp]) => stampOf(file) === stamp)) return seen.url;
  compiled.delete(path);
  await init;
  const nodes = new Map<string, Node>();
  discover(path, nodes);
  for (const scc of stronglyConnected(nodes)) {
    // Modules in an import cycle share one hash; imports from outside the cycle contribute their own.
    const h = createHash('sha256').update(LOADER_VERSION);
    for (const n of [...scc].sort((a, b) => (a.file < b.file ? -1 : 1))) {
      h.update(`\0${n.file}\0${n.source}`);
      for (const [spec, target] of n.deps) if (!scc.includes(nodes.get(target) as Node)) h.update(`\0${spec}=${(nodes.get(target) as Node).hash}`);
    }
    const hash = h.digest('hex').slice(0, 20);
    for (const n of scc) n.hash = hash;
  }
  for (const n of nodes.values()) {
    const out = cachedPath(n.file, n.hash);
    if (exists(out)) continue;
    const transform = await getTransformer();
    const urls = new Map([...n.deps].map(([spec, target]) => [spec, pathToFileURL(cachedPath(target, (nodes.get(target) as Node).hash)).href]));
    writeAtomic(out, rewriteImports(transform(n.source, n.file, n.loader), n.file, urls));
    prune(out, n.file);
  }
  const root = nodes.get(path) as Node;
  const url = pathToFileURL(cachedPath(root.file, root.hash)).href;
  const stamps = new Map([...nodes.values()].flatMap((n) => [[n.file, n.stamp] as const, [dirname(n.file), n.folderStamp] as const]));
  if (![...nodes.values()].some((n) => n.unresolved) && ![...stamps.values()].includes(null)) compiled.set(path, { url, stamps });
  return url;
}

/**
 * Graphs compiled by this process, by entry file: the URL, and the stamp of every file of the graph and of its folder
 * as they were read.
 * A runner asks for its DAG file's URL at every try; while no file of the graph has a new stamp, the answer is the
 * same without reading, lexing and hashing the sources again (Python checks its `.pyc` files by the source's mtime and
 * size the same way).
 */
const compiled = new Map<string, { url: string; stamps: Map<string, string | null> }>();

/** A file's modification stamp: times in nanoseconds, size and inode (a rename into place changes the inode); null when gone. */
function stampOf(file: string): string | null {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.mtimeNs}:${st.ctimeNs}:${st.size}:${st.ino}` : null;
}

/** Reads a module and, recursively, the local modules it imports. */
function discover(file: string, nodes: Map<string, Node>): void {
  if (nodes.has(file)) return;
  // Stamped before it is read: a change made meanwhile gives a new stamp, and the next call reads the file again.
  // Its folder too: a file added there may change what an import resolves to (`./x.js` is x.js before x.ts).
  const folderStamp = stampOf(dirname(file));
  const stamp = stampOf(file);
  const source = readFileSync(file, 'utf8');
  const ext = extname(file);
  const loader = ext === '.tsx' ? 'tsx' : ext === '.jsx' ? 'jsx' : ext === '.ts' || ext === '.mts' ? 'ts' : 'js';
  const node: Node = { file, source, loader, deps: new Map(), hash: '', stamp, folderStamp, unresolved: false };
  nodes.set(file, node);
  // Imports are found in the source, so a cache hit needs no compiler.
  for (const spec of localSpecifiers(source, file, loader)) {
    const target = resolveLocal(file, spec);
    if (target && COMPILED.has(extname(target))) node.deps.set(spec, target);
    // A file that is not there yet gives no stamp to compare: such a graph is read again at every call.
    if (target === null) node.unresolved = true;
  }
  for (const target of node.deps.values()) discover(target, nodes);
}

/** Tarjan's algorithm: the import graph's strongly connected components, each after the components it imports. */
function stronglyConnected(nodes: ReadonlyMap<string, Node>): Node[][] {
  const index = new Map<Node, number>();
  const low = new Map<Node, number>();
  const onStack = new Set<Node>();
  const stack: Node[] = [];
  const out: Node[][] = [];
  let counter = 0;
  const visit = (v: Node): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const t of v.deps.values()) {
      const w = nodes.get(t) as Node;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: Node[] = [];
      let w: Node;
      do {
        w = stack.pop() as Node;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const n of nodes.values()) if (!index.has(n)) visit(n);
  return out;
}

function cachedPath(file: string, hash: string): string {
  return join(dirname(file), CACHE_DIR, `${basename(file)}.${hash}.mjs`);
}

/** Relative specifiers of static and literal dynamic imports and re-exports. */
function localSpecifiers(source: string, file: string, loader: string): string[] {
  let imports: readonly { n?: string | undefined }[];
  try {
    // es-module-lexer reads JavaScript; TypeScript syntax it cannot skip leaves the rewrite to the compiled code.
    [imports] = parse(source, file);
  } catch {
    if (loader === 'js') throw new Error(`cannot read the imports of ${file}`);
    imports = roughImports(source);
  }
  return [...new Set(imports.map((i) => i.n).filter((n): n is string => typeof n === 'string' && isRelative(n)))];
}

/** A fallback for TypeScript the lexer rejects (type annotations in odd places): `from '...'` and `import('...')`. */
function roughImports(source: string): { n: string }[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g)].map((m) => ({ n: m[2] as string }));
}

function isRelative(s: string): boolean {
  return s.startsWith('./') || s.startsWith('../');
}

/** TypeScript's rules for a relative specifier: `./x.js` may name `x.ts`; a folder means its index. */
function resolveLocal(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  const candidates = [base];
  const ext = extname(base);
  const stem = base.slice(0, base.length - ext.length);
  if (ext === '.js') candidates.push(`${stem}.ts`, `${stem}.tsx`);
  else if (ext === '.mjs') candidates.push(`${stem}.mts`);
  else if (ext === '.jsx') candidates.push(`${stem}.tsx`);
  else if (ext === '') candidates.push(`${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js'));
  for (const c of candidates) if (isFile(c)) return c;
  return null;
}

/** Points relative imports of the compiled code at the compiled dependencies, and others at their originals. */
function rewriteImports(code: string, file: string, deps: ReadonlyMap<string, string>): string {
  const [imports] = parse(code, file);
  let out = '';
  let last = 0;
  for (const imp of imports) {
    const spec = imp.n;
    if (typeof spec !== 'string' || !isRelative(spec) || imp.s < 0) continue;
    const target = deps.get(spec) ?? pathToFileURL(resolveLocal(file, spec) ?? resolve(dirname(file), spec)).href;
    // For static imports s..e is the bare specifier text; for dynamic ones it includes the quotes.
    const quoted = code[imp.s] === '"' || code[imp.s] === "'";
    out += code.slice(last, imp.s) + (quoted ? JSON.stringify(target) : target);
    last = imp.e;
  }
  return out + code.slice(last);
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Removes older compiled versions of the same source. */
function prune(keep: string, source: string): void {
  const dir = dirname(keep);
  const prefix = `${basename(source)}.`;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (full !== keep && name.startsWith(prefix) && name.endsWith('.mjs') && name.slice(prefix.length).split('.').length === 2) {
      rmSync(full, { force: true });
    }
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
