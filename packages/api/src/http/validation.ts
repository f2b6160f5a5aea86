import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { ValidationIssue } from '../errors.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, removeAdditional: false, ...options });
  addFormats(ajv);
  return ajv;
}

/**
 * Request validators. Bodies are validated strictly (no type coercion: `"true"` is not a boolean, unknown fields
 * are errors, not dropped); query strings and path parameters are text, so they are coerced, and a single
 * value becomes a one-element array where an array is expected (`?tags=a`).
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = makeAjv({ coerceTypes: false });
  const text = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}

/** Ajv errors in Airflow's (FastAPI's) validation error shape. `part` is `body`, `query`, `path` or `header`. */
export function toIssues(errors: readonly ErrorObject[], part: string, input: unknown): ValidationIssue[] {
  return errors.map((e) => {
    const loc: (string | number)[] = [part, ...e.instancePath.split('/').slice(1).map(unescapePointer)];
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        return { type: 'missing', loc: [...loc, String(params.missingProperty)], msg: 'Field required' };
      case 'additionalProperties':
        return { type: 'extra_forbidden', loc: [...loc, String(params.additionalProperty)], msg: 'Extra inputs are not permitted' };
      case 'type':
        return { type: `${String(params.type)}_type`, loc, msg: `Input should be of type ${String(params.type)}`, input: valueAt(input, loc.slice(1)) };
      case 'enum':
        return {
          type: 'enum',
          loc,
          msg: `Input should be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
          input: valueAt(input, loc.slice(1)),
        };
      default:
        return { type: e.keyword, loc, msg: `Input ${e.message ?? 'is invalid'}`, input: valueAt(input, loc.slice(1)) };
    }
  });
}

function unescapePointer(segment: string): string | number {
  const s = segment.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(s) ? Number(s) : s;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  // Do not echo large inputs back.
  if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 200)}...`;
  if (typeof v === 'object' && v !== null) return undefined;
  return v;
}
