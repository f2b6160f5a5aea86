import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';
import { ParamValidationError } from './errors.js';
import { findJsonProblem, type JsonValue } from './json.js';

/**
 * One DAG param, as Airflow's `Param`: a default and a JSON Schema the value must satisfy. The UI builds the
 * trigger form from these fields, and the scheduler validates a run's conf against them without importing the
 * DAG file, so they must be plain JSON.
 */
export interface ParamSpec {
  /** Value used when the conf does not set this param. A param without a default is required. */
  default?: JsonValue;
  /** JSON Schema type(s). */
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | ('string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null')[];
  /** Shown in the trigger form. */
  description?: string;
  /** Title shown instead of the name in the trigger form. */
  title?: string;
  enum?: JsonValue[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: Record<string, JsonValue>;
  [schemaKeyword: string]: JsonValue | undefined;
}

/** A DAG's params: a name to a spec, or a bare default value (shorthand for `{ default: value }`). */
export type ParamsSpec = Record<string, ParamSpec | JsonValue>;

/** Normalized params: every entry a {@link ParamSpec}. */
export type NormalizedParams = Record<string, ParamSpec>;

/** Turns the shorthand form into specs. Objects are specs only when they carry a schema keyword or `default`. */
export function normalizeParams(params: ParamsSpec | undefined): NormalizedParams {
  const out: NormalizedParams = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    out[name] = isParamSpec(value) ? value : { default: value };
  }
  return out;
}

const SPEC_KEYS = new Set(['default', 'type', 'description', 'title', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'format', 'items', 'const', 'properties', 'required', 'examples']);

function isParamSpec(value: unknown): value is ParamSpec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => SPEC_KEYS.has(k));
}

let ajv: Ajv | undefined;
/** Ajv loads on first use: most DAGs have no params, and every CLI start would pay for it. */
function getAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
    ajv = new AjvClass({ allErrors: true, strict: false });
  }
  return ajv;
}
const cache = new WeakMap<NormalizedParams, Map<string, ValidateFunction>>();

function validatorFor(params: NormalizedParams, name: string, spec: ParamSpec): ValidateFunction {
  let perDag = cache.get(params);
  if (!perDag) cache.set(params, (perDag = new Map<string, ValidateFunction>()));
  let v = perDag.get(name);
  if (!v) {
    const { default: _d, description: _desc, title: _t, ...schema } = spec;
    v = getAjv().compile(schema);
    perDag.set(name, v);
  }
  return v;
}

/**
 * Merges a run's conf over the params' defaults and validates every param, as Airflow does when a run is
 * triggered. Keys of the conf that are not params pass through untouched (Airflow keeps them in `conf`).
 * @throws ParamValidationError listing every param that is missing or fails its schema.
 */
export function resolveParams(dagId: string, params: NormalizedParams, conf: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) {
    throw new ParamValidationError(dagId, [{ param: '(conf)', message: 'the conf must be a JSON object' }]);
  }
  const resolved: Record<string, JsonValue> = {};
  const problems: { param: string; message: string }[] = [];
  for (const [key, value] of Object.entries(conf)) {
    const problem = findJsonProblem(value, `$.${key}`);
    if (problem) problems.push({ param: key, message: `is not JSON: ${problem.problem} at ${problem.path}` });
  }
  for (const [name, spec] of Object.entries(params)) {
    if (problems.some((p) => p.param === name)) continue;
    const value = Object.hasOwn(conf, name) ? conf[name] : spec.default;
    if (value === undefined) {
      problems.push({ param: name, message: 'is required (no default and not in conf)' });
      continue;
    }
    const validate = validatorFor(params, name, spec);
    if (!validate(value)) {
      problems.push({ param: name, message: formatAjvErrors(validate.errors ?? []) });
      continue;
    }
    // A copy, so that a task changing its params changes neither the DAG's defaults nor the caller's conf.
    resolved[name] = structuredClone(value);
  }
  if (problems.length > 0) throw new ParamValidationError(dagId, problems);
  return resolved;
}

function formatAjvErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath ? `${e.instancePath} ` : ''}${e.message ?? 'is invalid'}`).join(', ');
}

/**
 * Checks the params themselves (plain JSON, a schema ajv can compile, a default that satisfies it), so a bad param
 * is an import error, not a failure at trigger time.
 * @throws ParamValidationError listing every bad param.
 */
export function checkParamSchemas(dagId: string, params: NormalizedParams): void {
  const problems: { param: string; message: string }[] = [];
  for (const [name, spec] of Object.entries(params)) {
    const notJson = findJsonProblem(spec, `$.${name}`);
    if (notJson) {
      problems.push({ param: name, message: `is not JSON: ${notJson.problem} at ${notJson.path}` });
      continue;
    }
    try {
      const validate = validatorFor(params, name, spec);
      if (spec.default !== undefined && !validate(spec.default)) {
        problems.push({ param: name, message: `default ${JSON.stringify(spec.default)} ${formatAjvErrors(validate.errors ?? [])}` });
      }
    } catch (cause) {
      problems.push({ param: name, message: `invalid schema: ${(cause as Error).message}` });
    }
  }
  if (problems.length > 0) throw new ParamValidationError(dagId, problems);
}
