import { describe, expect, it } from 'vitest';
import type { SerializedParam } from '../src/api/types.js';
import { fieldsToConf, mergeRawConf, paramsToFields } from '../src/lib/params-form.js';

const p = (value: unknown, schema: Record<string, unknown>, description: string | null = null): SerializedParam => ({ value, schema, description });

describe('paramsToFields', () => {
  it('maps JSON Schema types to inputs, in the DAG order', () => {
    const fields = paramsToFields({
      output_dir: p(null, { type: ['string', 'null'] }, 'Folder'),
      epochs: p(10, { type: 'integer', minimum: 1, maximum: 100 }),
      rate: p(0.5, { type: 'number' }),
      dry: p(true, { type: 'boolean' }),
      mode: p('fast', { type: 'string', enum: ['fast', 'slow'] }),
      day: p('2025-01-01', { type: 'string', format: 'date' }),
      names: p(['a', 'b'], { type: 'array', items: { type: 'string' } }),
      extra: p({ k: 1 }, { type: 'object' }),
      untyped: p(3, {}),
    });
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['output_dir', 'text'],
      ['epochs', 'integer'],
      ['rate', 'number'],
      ['dry', 'boolean'],
      ['mode', 'select'],
      ['day', 'date'],
      ['names', 'list'],
      ['extra', 'json'],
      ['untyped', 'integer'],
    ]);
    const [dir, epochs, , dry, mode, , names, extra] = fields;
    expect(dir).toMatchObject({ nullable: true, initial: '', description: 'Folder' });
    expect(epochs).toMatchObject({ nullable: false, initial: '10', minimum: 1, maximum: 100 });
    expect(dry?.initial).toBe(true);
    expect(mode).toMatchObject({ options: ['fast', 'slow'], initial: '"fast"' });
    expect(names?.initial).toBe('a\nb');
    expect(JSON.parse(extra?.initial as string)).toEqual({ k: 1 });
  });

  it('uses the schema title as the label', () => {
    expect(paramsToFields({ x: p(1, { type: 'integer', title: 'Number of trees' }) })[0]?.label).toBe('Number of trees');
    expect(paramsToFields(null)).toEqual([]);
  });
});

describe('fieldsToConf', () => {
  const fields = paramsToFields({
    output_dir: p(null, { type: ['string', 'null'] }),
    epochs: p(10, { type: 'integer', minimum: 1, maximum: 100 }),
    mode: p('fast', { type: 'string', enum: ['fast', 'slow'] }),
    code: p('ab', { type: 'string', pattern: '^[a-z]+$' }),
    names: p([], { type: 'array', items: { type: 'string' } }),
    extra: p({}, { type: 'object' }),
  });

  it('turns the starting values back into the defaults', () => {
    expect(fieldsToConf(fields, {})).toEqual({ conf: { output_dir: null, epochs: 10, mode: 'fast', code: 'ab', names: [], extra: {} }, errors: {} });
  });

  it('parses what the user typed', () => {
    const { conf, errors } = fieldsToConf(fields, { output_dir: '/tmp/out', epochs: ' 42 ', mode: '"slow"', names: 'x\n\n y \n', extra: '{"a": [1]}' });
    expect(errors).toEqual({});
    expect(conf).toMatchObject({ output_dir: '/tmp/out', epochs: 42, mode: 'slow', names: ['x', 'y'], extra: { a: [1] } });
  });

  it('names each field that is wrong, and what was expected', () => {
    const { errors } = fieldsToConf(fields, { epochs: '1.5', mode: '"medium"', code: 'AB', extra: '{oops' });
    expect(Object.keys(errors).sort()).toEqual(['code', 'epochs', 'extra', 'mode']);
    expect(errors.epochs).toMatch(/whole number/);
    expect(fieldsToConf(fields, { epochs: '0' }).errors.epochs).toMatch(/at least 1/);
    expect(fieldsToConf(fields, { epochs: '' }).errors.epochs).toMatch(/required/);
  });
});

describe('mergeRawConf', () => {
  it('lets the raw JSON override the form key by key', () => {
    expect(mergeRawConf({ a: 1, b: 2 }, '{"b": 3, "c": 4}')).toEqual({ conf: { a: 1, b: 3, c: 4 } });
    expect(mergeRawConf({ a: 1 }, '   ')).toEqual({ conf: { a: 1 } });
  });

  it('refuses JSON that is not an object', () => {
    expect(mergeRawConf({}, '[1]')).toEqual({ error: expect.stringMatching(/object/) as unknown });
    expect(mergeRawConf({}, '{')).toEqual({ error: expect.stringMatching(/not valid JSON/) as unknown });
  });
});
