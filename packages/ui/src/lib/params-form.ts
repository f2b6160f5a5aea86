import type { SerializedParam } from '../api/types.js';

/** The input that edits a param. */
export type FieldKind = 'text' | 'multiline' | 'number' | 'integer' | 'boolean' | 'select' | 'list' | 'json' | 'date' | 'datetime' | 'time';

/** One field of the trigger form, made from a DAG param's JSON Schema. */
export interface ParamField {
  /** The param's name: the conf key. */
  name: string;
  /** What the form shows: the schema's `title`, else the name. */
  label: string;
  description: string | null;
  kind: FieldKind;
  /** Whether null is allowed (an empty input sends null). */
  nullable: boolean;
  /** Choices of a `select` (the schema's `enum`), as JSON values. */
  options: unknown[];
  /** The input's starting value: text for text-like inputs, a boolean for checkboxes. */
  initial: string | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** A field's value in the form. */
export type FieldValue = string | boolean;

/** The DAG's params as form fields, in the DAG's order. */
export function paramsToFields(params: Record<string, SerializedParam> | null | undefined): ParamField[] {
  if (!params) return [];
  return Object.entries(params).map(([name, p]) => toField(name, p));
}

function toField(name: string, p: SerializedParam): ParamField {
  const schema = p.schema ?? {};
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]).filter((t): t is string => typeof t === 'string');
  const nonNull = types.filter((t) => t !== 'null');
  const nullable = types.includes('null') || (Array.isArray(schema.enum) && schema.enum.includes(null));
  const type = nonNull.length === 1 ? nonNull[0] : nonNull.length === 0 ? inferType(p.value) : 'mixed';
  const field: ParamField = {
    name,
    label: typeof schema.title === 'string' && schema.title !== '' ? schema.title : name,
    description: p.description ?? (typeof schema.description === 'string' ? schema.description : null),
    kind: kindOf(type, schema),
    nullable,
    options: Array.isArray(schema.enum) ? schema.enum.filter((v) => v !== null) : [],
    initial: '',
  };
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    if (typeof schema[key] === 'number') field[key] = schema[key];
  }
  if (typeof schema.pattern === 'string') field.pattern = schema.pattern;
  field.initial = initialValue(field, p.value);
  return field;
}

function inferType(value: unknown): string {
  if (value === null || value === undefined) return 'string';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function kindOf(type: string | undefined, schema: Record<string, unknown>): FieldKind {
  if (Array.isArray(schema.enum)) return 'select';
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'array': {
      const items = schema.items as { type?: unknown } | undefined;
      return items && (items.type === 'string' || items.type === 'number' || items.type === 'integer') ? 'list' : 'json';
    }
    case 'string':
      if (schema.format === 'date') return 'date';
      if (schema.format === 'date-time') return 'datetime';
      if (schema.format === 'time') return 'time';
      return schema.format === 'multiline' ? 'multiline' : 'text';
    default:
      return 'json';
  }
}

function initialValue(field: ParamField, value: unknown): FieldValue {
  if (field.kind === 'boolean') return value === true;
  if (value === null || value === undefined) return '';
  switch (field.kind) {
    case 'select':
      return JSON.stringify(value);
    case 'list':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'json':
      return JSON.stringify(value, null, 2);
    case 'datetime':
      // datetime-local inputs take local wall time without zone; the form shows UTC and says so.
      return typeof value === 'string' ? value.replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '').slice(0, 19) : '';
    default:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  }
}

/** The form's values turned into a run's conf, with a message per field that is not valid. */
export function fieldsToConf(fields: readonly ParamField[], values: Readonly<Record<string, FieldValue>>): { conf: Record<string, unknown>; errors: Record<string, string> } {
  const conf: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name] ?? field.initial;
    const result = parseField(field, raw);
    if ('error' in result) errors[field.name] = result.error;
    else conf[field.name] = result.value;
  }
  return { conf, errors };
}

function parseField(f: ParamField, raw: FieldValue): { value: unknown } | { error: string } {
  if (f.kind === 'boolean') return { value: raw === true };
  const text = String(raw);
  if (text.trim() === '') {
    if (f.nullable) return { value: null };
    if (f.kind === 'list') return { value: [] };
    if (f.kind === 'text' || f.kind === 'multiline') return checkText(f, text);
    return { error: 'a value is required' };
  }
  switch (f.kind) {
    case 'integer':
    case 'number': {
      const n = Number(text.trim());
      if (!Number.isFinite(n)) return { error: `expected a number, got "${text}"` };
      if (f.kind === 'integer' && !Number.isInteger(n)) return { error: `expected a whole number, got "${text}"` };
      if (f.minimum !== undefined && n < f.minimum) return { error: `must be at least ${f.minimum}` };
      if (f.maximum !== undefined && n > f.maximum) return { error: `must be at most ${f.maximum}` };
      return { value: n };
    }
    case 'select': {
      const value = safeJson(text);
      if (value === undefined || !f.options.some((o) => JSON.stringify(o) === JSON.stringify(value))) return { error: 'choose one of the listed values' };
      return { value };
    }
    case 'list':
      return { value: text.split('\n').map((l) => l.trim()).filter((l) => l !== '') };
    case 'json': {
      const value = safeJson(text);
      return value === undefined ? { error: 'expected JSON, such as {"key": 1} or [1, 2]' } : { value };
    }
    case 'datetime': {
      const iso = /(Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`;
      return Number.isNaN(Date.parse(iso)) ? { error: `expected a date and time, got "${text}"` } : { value: new Date(iso).toISOString() };
    }
    default:
      return checkText(f, text);
  }
}

function checkText(f: ParamField, text: string): { value: unknown } | { error: string } {
  if (f.minLength !== undefined && text.length < f.minLength) return { error: `must be at least ${f.minLength} characters` };
  if (f.maxLength !== undefined && text.length > f.maxLength) return { error: `must be at most ${f.maxLength} characters` };
  if (f.pattern !== undefined) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(f.pattern, 'u');
    } catch {
      // A pattern JavaScript cannot read is left to the server's check.
    }
    if (re && !re.test(text)) return { error: `must match ${f.pattern}` };
  }
  return { value: text };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The conf a trigger sends: the form's values, overridden key by key by the raw JSON conf when one is given.
 * The raw conf must be a JSON object.
 */
export function mergeRawConf(formConf: Record<string, unknown>, rawJson: string): { conf: Record<string, unknown> } | { error: string } {
  if (rawJson.trim() === '') return { conf: formConf };
  const raw = safeJson(rawJson);
  if (raw === undefined) return { error: 'The JSON conf is not valid JSON' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'The JSON conf must be an object, such as {"key": "value"}' };
  return { conf: { ...formConf, ...(raw as Record<string, unknown>) } };
}
