import { relative } from 'node:path';
import type { DAG, JsonValue } from '@updraft/core';
import { type DagBag, DagNotFoundError, loadDagsFolder } from '@updraft/engine';
import { CliError } from '../errors.js';
import { errorText } from '../output.js';

/** Loads the DAGs folder and returns the DAG, or a clear error naming import errors that may explain its absence. */
export async function findDag(dagsFolder: string, dagId: string): Promise<{ dag: DAG; bag: DagBag }> {
  const bag = await loadDagsFolder(dagsFolder);
  const found = bag.dags.get(dagId);
  if (!found) {
    const err = new DagNotFoundError(dagId, bag.dagsFolder, bag.importErrors);
    printImportErrors(bag);
    throw new CliError(err.message, 1, { cause: err });
  }
  return { dag: found.dag, bag };
}

/** Prints import errors to stderr, one block per file. */
export function printImportErrors(bag: DagBag): void {
  for (const e of bag.importErrors) {
    process.stderr.write(`${errorText('import error:')} ${relative(process.cwd(), e.file) || e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  }
}

/** Parses `--conf` JSON: an object. */
export function parseConf(text: string | undefined): Record<string, JsonValue> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--conf is not valid JSON: ${(e as Error).message}`, 2);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--conf must be a JSON object, e.g. \'{"key": "value"}\'', 2);
  return value as Record<string, JsonValue>;
}

/** Parses `--logical-date`: an ISO 8601 date. */
export function parseDate(text: string | undefined, option: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new CliError(`${option} must be an ISO 8601 date such as 2025-01-01T00:00:00Z, got ${JSON.stringify(text)}`, 2);
  return d;
}
