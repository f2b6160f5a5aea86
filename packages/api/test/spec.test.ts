import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_ID, startFixture, type ApiFixture } from './support/fixture.js';
import { sqliteTarget } from './support/targets.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Airflow 3.2's public API spec, in the shared folder beside the repository (CI lays it there too). */
const SPEC = fileURLToPath(new URL('../../../../shared/reference/airflow-rest-api-v2.yaml', import.meta.url));
const missing = !existsSync(SPEC);
if (missing && process.env.CI !== 'true') console.warn(`Skipping the OpenAPI conformance test: ${SPEC} is not there.`);

type Schema = Record<string, unknown>;

/** OpenAPI 3.0's `nullable` in JSON Schema terms, recursively (the spec mixes it into 3.1 documents). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) if (k !== 'nullable') out[k] = toJsonSchema(v);
  if ((node as Schema).nullable !== true) return out;
  if (typeof out.type === 'string' && out.$ref === undefined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

const R = `/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}`;
const r = `/api/v2/dags/demo/dagRuns/${encodeURIComponent(RUN_ID)}`;

/** One request per implemented operation and outcome: [method, spec path, url, body, expected status]. */
const CASES: [string, string, string, unknown, number][] = [
  ['GET', '/api/v2/version', '/api/v2/version', undefined, 200],
  ['GET', '/api/v2/monitor/health', '/api/v2/monitor/health', undefined, 200],
  ['GET', '/api/v2/dags', '/api/v2/dags?tags=ml&limit=5', undefined, 200],
  ['GET', '/api/v2/dags', '/api/v2/dags?order_by=nope', undefined, 422],
  ['GET', '/api/v2/dagTags', '/api/v2/dagTags?tag_name_pattern=%25', undefined, 200],
  ['GET', '/api/v2/dags/{dag_id}', '/api/v2/dags/demo', undefined, 200],
  ['GET', '/api/v2/dags/{dag_id}', '/api/v2/dags/nope', undefined, 404],
  ['PATCH', '/api/v2/dags/{dag_id}', '/api/v2/dags/sleepy', { is_paused: false }, 200],
  ['PATCH', '/api/v2/dags/{dag_id}', '/api/v2/dags/demo', { is_paused: 'no' }, 422],
  ['GET', '/api/v2/dags/{dag_id}/details', '/api/v2/dags/demo/details', undefined, 200],
  ['GET', '/api/v2/dags/{dag_id}/tasks', '/api/v2/dags/demo/tasks', undefined, 200],
  ['GET', '/api/v2/dags/{dag_id}/tasks/{task_id}', '/api/v2/dags/demo/tasks/extract', undefined, 200],
  ['GET', '/api/v2/dagSources/{dag_id}', '/api/v2/dagSources/demo', undefined, 200],
  ['GET', '/api/v2/dags/{dag_id}/dagRuns', '/api/v2/dags/demo/dagRuns', undefined, 200],
  ['POST', '/api/v2/dags/{dag_id}/dagRuns', '/api/v2/dags/demo/dagRuns', { conf: { epochs: 4 }, note: 'from the spec test' }, 200],
  ['POST', '/api/v2/dags/{dag_id}/dagRuns', '/api/v2/dags/demo/dagRuns', { conf: { epochs: 'many' } }, 422],
  ['POST', '/api/v2/dags/{dag_id}/dagRuns', '/api/v2/dags/demo/dagRuns', { dag_run_id: RUN_ID }, 409],
  ['GET', R, r, undefined, 200],
  ['PATCH', R, r, { note: 'seen' }, 200],
  ['POST', `${R}/clear`, `${r}/clear`, { dry_run: true }, 200],
  ['GET', `${R}/taskInstances`, `${r}/taskInstances`, undefined, 200],
  ['GET', `${R}/taskInstances/{task_id}`, `${r}/taskInstances/transform`, undefined, 200],
  ['GET', `${R}/taskInstances/{task_id}/tries`, `${r}/taskInstances/transform/tries`, undefined, 200],
  ['GET', `${R}/taskInstances/{task_id}/logs/{try_number}`, `${r}/taskInstances/extract/logs/1`, undefined, 200],
  ['GET', `${R}/taskInstances/{task_id}/xcomEntries`, `${r}/taskInstances/extract/xcomEntries`, undefined, 200],
  ['GET', `${R}/taskInstances/{task_id}/xcomEntries/{xcom_key}`, `${r}/taskInstances/extract/xcomEntries/accuracy`, undefined, 200],
  ['PATCH', `${R}/taskInstances/{task_id}`, `${r}/taskInstances/load`, { new_state: 'skipped' }, 200],
  ['POST', '/api/v2/dags/{dag_id}/clearTaskInstances', '/api/v2/dags/demo/clearTaskInstances', { dry_run: true, only_failed: false }, 200],
  ['GET', '/api/v2/importErrors', '/api/v2/importErrors', undefined, 200],
  ['GET', '/api/v2/eventLogs', '/api/v2/eventLogs', undefined, 200],
  ['POST', `${R}/clear`, `${r}/clear`, { dry_run: false }, 200],
  ['DELETE', R, r, undefined, 204],
];

describe.skipIf(missing && process.env.CI !== 'true')("responses match Airflow's OpenAPI schemas", () => {
  let f: ApiFixture;
  let spec: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);

  beforeAll(async () => {
    if (missing) throw new Error(`${SPEC} is missing: CI lays ../shared beside the repository`);
    spec = parse(readFileSync(SPEC, 'utf8')) as typeof spec;
    const components = (spec as unknown as { components: { schemas: Schema } }).components.schemas;
    ajv.addSchema({ $id: 'airflow', components: { schemas: toJsonSchema(components) } });
    f = await startFixture(sqliteTarget);
  });
  afterAll(async () => {
    await (f as ApiFixture | undefined)?.dispose();
  });

  function validatorFor(method: string, path: string, status: number): ValidateFunction | null {
    const operation = spec.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not in Airflow's spec`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`Airflow's spec has no ${status} response for ${method} ${path}`);
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) return null;
    const text = JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', '"airflow#/components/');
    return ajv.compile(JSON.parse(text) as Schema);
  }

  it('covers every /api/v2 route the server registers', () => {
    const registered = f.server
      .routes()
      .filter((route) => route.url.startsWith('/api/v2/'))
      .map((route) => `${route.method} ${route.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    const covered = new Set(CASES.map(([method, path]) => `${method} ${path}`));
    expect(registered.filter((route) => !covered.has(route))).toEqual([]);
  });

  it('catches a response that leaves out a required field or has a wrong type', async () => {
    const validate = validatorFor('GET', '/api/v2/dags/{dag_id}', 200);
    const good = (await f.request('admin', 'GET', '/api/v2/dags/demo')).json<Record<string, unknown>>();
    const { dag_id: _dagId, ...withoutId } = good;
    expect(validate?.(withoutId)).toBe(false);
    expect(validate?.({ ...good, is_paused: 'no' })).toBe(false);
    expect(validate?.(good)).toBe(true);
  });

  it.each(CASES)('%s %s -> %s', async (method, path, url, body, status) => {
    const res = await f.request('admin', method, url, body);
    expect(res.statusCode, res.body).toBe(status);
    const validate = validatorFor(method, path, status);
    if (!validate) return;
    const ok = validate(res.json());
    expect(ok ? [] : validate.errors, JSON.stringify(res.json()).slice(0, 500)).toEqual([]);
  });
});
