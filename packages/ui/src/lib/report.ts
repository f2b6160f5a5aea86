/** A file in one of the server's output folders. */
export interface OutputFile {
  folder: string;
  /** Path inside the folder, `/`-separated. */
  path: string;
}

const REPORT_FILE = /\.(md|markdown|html?|txt)$/i;

/**
 * Finds a run's report among its XCom values: the first string that is a path to a Markdown, HTML or text file
 * lying in one of the server's output folders (by the folder's name in the path: the last one wins, so
 * `/srv/out/report/r.md` with folders `out` and `report` is `report/r.md`). Null when none is.
 */
export function locateReport(values: readonly unknown[], folders: readonly string[]): OutputFile | null {
  const names = new Set(folders);
  for (const value of values) {
    if (typeof value !== 'string' || !REPORT_FILE.test(value)) continue;
    const parts = value.split(/[\\/]+/).filter((p) => p !== '');
    for (let i = parts.length - 2; i >= 0; i--) {
      const name = parts[i] as string;
      if (names.has(name)) {
        const rest = parts.slice(i + 1);
        if (rest.some((p) => p === '..' || p === '.')) break;
        return { folder: name, path: rest.join('/') };
      }
    }
  }
  return null;
}
