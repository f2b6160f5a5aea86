import { describe, expect, it } from 'vitest';
import {
  chain,
  DAG,
  DagCycleError,
  DagDefinitionError,
  DuplicateTaskIdError,
  InvalidArgumentError,
  isDag,
  ParamValidationError,
  SERIALIZED_DAG_VERSION,
  serializeDag,
  serializedDagToJson,
  TASK_ARG_DEFAULTS,
  TriggerRule,
  type DagOptions,
  type Task,
} from '../src/index.js';

const noop = (): undefined => undefined;

/** Runs `make` and returns what it threw, failing the test when it throws nothing. */
function thrown(make: () => unknown): unknown {
  try {
    make();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function invalidField(make: () => unknown): string {
  const e = thrown(make);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  return (e as InvalidArgumentError).field;
}

/** Options typed loosely, to feed the constructor the wrong types a JavaScript DAG file could pass. */
function loose(options: Record<string, unknown>): DagOptions {
  return options as unknown as DagOptions;
}

describe('DAG construction', () => {
  it('fills Airflow 3 defaults', () => {
    const dag = new DAG({ dagId: 'etl' });
    expect(dag.dagId).toBe('etl');
    expect(dag.description).toBeNull();
    expect(dag.schedule).toEqual({ kind: 'none' });
    expect(dag.catchup).toBe(false);
    expect(dag.maxActiveRuns).toBe(16);
    expect(dag.maxActiveTasks).toBe(16);
    expect(dag.startDate).toBeNull();
    expect(dag.endDate).toBeNull();
    expect(dag.tags).toEqual([]);
    expect(dag.params).toEqual({});
    expect(dag.timezone).toBe('UTC');
    expect(dag.dagrunTimeoutMs).toBeNull();
    expect(isDag(dag)).toBe(true);
    expect(isDag({ dagId: 'etl' })).toBe(false);
    expect(String(dag)).toBe('<DAG etl>');
  });

  it('keeps every documented option', () => {
    const dag = new DAG({
      dagId: 'mlops_pipeline',
      description: 'Iris end to end',
      defaultArgs: { owner: 'ml', retries: 2, retryDelay: { minutes: 5 } },
      schedule: '@daily',
      startDate: '2025-01-01',
      endDate: new Date('2025-12-31T00:00:00Z'),
      catchup: true,
      maxActiveRuns: 1,
      maxActiveTasks: 4,
      dagrunTimeout: '2h',
      tags: ['ml', 'iris'],
      params: { epochs: 10 },
      timezone: 'Europe/Paris',
      docMd: '# Iris',
      isPausedUponCreation: false,
    });
    expect(dag.description).toBe('Iris end to end');
    expect(dag.defaultArgs).toEqual({ owner: 'ml', retries: 2, retryDelay: { minutes: 5 } });
    expect(dag.schedule).toMatchObject({ kind: 'cron', expression: '0 0 * * *', timezone: 'Europe/Paris' });
    expect(dag.startDate?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(dag.endDate?.toISOString()).toBe('2025-12-31T00:00:00.000Z');
    expect(dag.catchup).toBe(true);
    expect(dag.maxActiveRuns).toBe(1);
    expect(dag.maxActiveTasks).toBe(4);
    expect(dag.dagrunTimeoutMs).toBe(7_200_000);
    expect(dag.tags).toEqual(['ml', 'iris']);
    expect(dag.params).toEqual({ epochs: { default: 10 } });
    expect(dag.docMd).toBe('# Iris');
    expect(dag.isPausedUponCreation).toBe(false);
  });

  it('records where it was defined', () => {
    const dag = new DAG({ dagId: 'here' });
    expect(dag.definedAt?.file).toMatch(/dag\.test\.ts/);
    expect(dag.definedAt?.line).toBeGreaterThan(0);
  });

  it('formats the stack of `new DAG` only when definedAt is read, and once', () => {
    const prepare = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    let formatted = 0;
    Error.prepareStackTrace = (error, sites) => {
      formatted += 1;
      return `${String(error)}\n${sites.map((s) => `    at ${s.getFunctionName() ?? '<anonymous>'} (${s.getFileName() ?? '?'}:${s.getLineNumber() ?? 0}:${s.getColumnNumber() ?? 0})`).join('\n')}`;
    };
    try {
      const line = new Error().stack?.split('\n')[1]?.match(/:(\d+):\d+\)$/)?.[1];
      formatted = 0;
      const dag = new DAG({ dagId: 'lazy' });
      expect(formatted).toBe(0);
      expect(dag.definedAt?.file).toMatch(/dag\.test\.ts$/);
      expect(dag.definedAt?.line).toBe(Number(line) + 2);
      expect(formatted).toBe(1);
    } finally {
      if (prepare) Object.defineProperty(Error, 'prepareStackTrace', prepare);
      else Reflect.deleteProperty(Error, 'prepareStackTrace');
    }
  });

  it.each(['', 'has space', 'slash/no', 'x'.repeat(251), 'ünïcode'])('rejects dagId %j', (dagId) => {
    expect(invalidField(() => new DAG({ dagId }))).toBe('dagId');
  });

  it('rejects a missing or non-string dagId, and options that are not an object', () => {
    expect(invalidField(() => new DAG(loose({})))).toBe('dagId');
    expect(invalidField(() => new DAG(loose({ dagId: 42 })))).toBe('dagId');
    expect(invalidField(() => new DAG(null as unknown as DagOptions))).toBe('options');
  });

  it('accepts ids of letters, digits, underscore, dot and dash up to 250 characters', () => {
    expect(new DAG({ dagId: 'a.B-9_z' }).dagId).toBe('a.B-9_z');
    expect(new DAG({ dagId: 'x'.repeat(250) }).dagId).toHaveLength(250);
  });

  it.each([
    [{ description: 3 }, 'description'],
    [{ defaultArgs: 'retries' }, 'defaultArgs'],
    [{ defaultArgs: [] }, 'defaultArgs'],
    [{ catchup: 'yes' }, 'catchup'],
    [{ maxActiveRuns: 0 }, 'maxActiveRuns'],
    [{ maxActiveRuns: 1.5 }, 'maxActiveRuns'],
    [{ maxActiveTasks: -1 }, 'maxActiveTasks'],
    [{ dagrunTimeout: 'soon' }, 'dagrunTimeout'],
    [{ tags: 'ml' }, 'tags'],
    [{ tags: ['ok', ''] }, 'tags'],
    [{ tags: ['ok', 3] }, 'tags'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ timezone: '' }, 'timezone'],
    [{ params: ['a'] }, 'params'],
    [{ docMd: {} }, 'docMd'],
    [{ isPausedUponCreation: 'no' }, 'isPausedUponCreation'],
    [{ startDate: 'yesterday' }, 'startDate'],
    [{ startDate: '2025-02-30' }, 'startDate'],
    [{ startDate: '2025-01-01T25:00:00Z' }, 'startDate'],
    [{ startDate: new Date('nope') }, 'startDate'],
    [{ startDate: 1735689600000 }, 'startDate'],
    [{ endDate: 'Jan 1 2025' }, 'endDate'],
  ])('names the field of a bad option %j', (extra, field) => {
    const e = thrown(() => new DAG(loose({ dagId: 'd', ...extra })));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toBeInstanceOf(DagDefinitionError);
    expect((e as InvalidArgumentError).field).toBe(field);
    expect((e as InvalidArgumentError).dagId).toBe('d');
    expect((e as Error).message).toContain(`DAG 'd'`);
    expect((e as Error).message).toContain(field);
  });

  it('requires a startDate when there is a schedule, @once included', () => {
    expect(invalidField(() => new DAG({ dagId: 'd', schedule: '@daily' }))).toBe('startDate');
    expect(invalidField(() => new DAG({ dagId: 'd', schedule: { hours: 6 } }))).toBe('startDate');
    expect(invalidField(() => new DAG({ dagId: 'd', schedule: '@once' }))).toBe('startDate');
    expect(new DAG({ dagId: 'd', schedule: null }).startDate).toBeNull();
  });

  it('rejects an endDate before the startDate, and accepts one equal to it', () => {
    const e = thrown(() => new DAG({ dagId: 'd', startDate: '2025-02-01', endDate: '2025-01-31T23:59:59Z' }));
    expect((e as InvalidArgumentError).field).toBe('endDate');
    expect(new DAG({ dagId: 'd', startDate: '2025-02-01', endDate: '2025-02-01T00:00:00Z' }).endDate?.toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });

  it('reads ISO strings without an offset as UTC, and honours an explicit offset', () => {
    const cases: [string, string][] = [
      ['2025-01-01', '2025-01-01T00:00:00.000Z'],
      ['2025-01-01T06:30', '2025-01-01T06:30:00.000Z'],
      ['2025-01-01 06:30:15', '2025-01-01T06:30:15.000Z'],
      ['2025-01-01T06:30:15.250', '2025-01-01T06:30:15.250Z'],
      ['2025-01-01T06:00:00+02:00', '2025-01-01T04:00:00.000Z'],
      ['2025-01-01T06:00:00-0530', '2025-01-01T11:30:00.000Z'],
      ['2025-01-01T06:00:00z', '2025-01-01T06:00:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ];
    for (const [text, iso] of cases) expect(new DAG({ dagId: 'd', startDate: text }).startDate?.toISOString()).toBe(iso);
  });

  it('copies a Date given as startDate, so later changes to it do not move the schedule', () => {
    const start = new Date('2025-01-01T00:00:00Z');
    const dag = new DAG({ dagId: 'd', startDate: start, schedule: '@daily' });
    start.setUTCFullYear(2030);
    expect(dag.startDate?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('rejects a bad params schema or a default that breaks it, naming each param', () => {
    const e = thrown(() => new DAG({ dagId: 'd', params: { a: { type: 'integer', default: 'x' }, b: { type: 'strnig' }, c: 1 } }));
    expect(e).toBeInstanceOf(ParamValidationError);
    expect((e as ParamValidationError).problems.map((p) => p.param)).toEqual(['a', 'b']);
  });
});

describe('defaultArgs and task arguments', () => {
  it('resolves defaults, defaultArgs and task overrides in that order', () => {
    const dag = new DAG({ dagId: 'd', defaultArgs: { owner: 'team', retries: 3, retryDelay: 600, triggerRule: 'all_done' } });
    const a = dag.task('a', noop);
    const b = dag.task('b', noop, { retries: 0, retryDelay: 'PT1M', executionTimeout: { minutes: 2 } });
    expect(a.args).toEqual({ ...TASK_ARG_DEFAULTS, owner: 'team', retries: 3, retryDelayMs: 600_000, triggerRule: 'all_done' });
    expect(b.args).toMatchObject({ owner: 'team', retries: 0, retryDelayMs: 60_000, executionTimeoutMs: 120_000, triggerRule: 'all_done' });
    expect(TASK_ARG_DEFAULTS).toMatchObject({ owner: 'updraft', retries: 0, retryDelayMs: 300_000, triggerRule: 'all_success', queue: 'default' });
  });

  it('treats an argument set to undefined on a task as not given', () => {
    const dag = new DAG({ dagId: 'd', defaultArgs: { retries: 4 } });
    expect(dag.task('a', noop, { retries: undefined }).args.retries).toBe(4);
  });

  it('accepts the object form of dag.task', () => {
    const dag = new DAG({ dagId: 'd' });
    const t = dag.task({ taskId: 'a', callable: noop, retries: 2, triggerRule: TriggerRule.ONE_SUCCESS });
    expect(t.taskId).toBe('a');
    expect(t.args.retries).toBe(2);
    expect(t.args.triggerRule).toBe('one_success');
    expect(t.dagId).toBe('d');
    expect(String(t)).toBe('<Task d.a>');
  });

  it.each([
    [{ retrys: 1 }, 'defaultArgs.retrys'],
    [{ owner: '' }, 'defaultArgs.owner'],
    [{ owner: 7 }, 'defaultArgs.owner'],
    [{ retries: -1 }, 'defaultArgs.retries'],
    [{ retries: 1.5 }, 'defaultArgs.retries'],
    [{ retries: '2' }, 'defaultArgs.retries'],
    [{ retryDelay: -5 }, 'defaultArgs.retryDelay'],
    [{ retryDelay: '5 minutes' }, 'defaultArgs.retryDelay'],
    [{ retryDelay: { mins: 5 } }, 'defaultArgs.retryDelay.mins'],
    [{ retryDelay: { minutes: -1 } }, 'defaultArgs.retryDelay.minutes'],
    [{ retryExponentialBackoff: 'true' }, 'defaultArgs.retryExponentialBackoff'],
    [{ maxRetryDelay: 'forever' }, 'defaultArgs.maxRetryDelay'],
    [{ executionTimeout: 0 }, 'defaultArgs.executionTimeout'],
    [{ executionTimeout: 'P1M' }, 'defaultArgs.executionTimeout'],
    [{ triggerRule: 'all_succes' }, 'defaultArgs.triggerRule'],
    [{ queue: 'has space' }, 'defaultArgs.queue'],
    [{ doc: 42 }, 'defaultArgs.doc'],
  ])('names the bad defaultArgs field %j', (defaultArgs, field) => {
    const e = thrown(() => new DAG(loose({ dagId: 'd', defaultArgs })));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).field).toBe(field);
    expect((e as Error).message).toContain(field);
    expect((e as Error).message).toMatch(/expected .+, got /);
  });

  it('names the task when a task argument is bad, and defaultArgs when the default is', () => {
    const dag = new DAG({ dagId: 'd', defaultArgs: { retries: 1 } });
    expect(invalidField(() => dag.task('t', noop, loose({ retries: -2 }) as never))).toBe("task 't'.retries");
    expect(invalidField(() => dag.task('t', noop, loose({ colour: 'red' }) as never))).toBe("task 't'.colour");
  });

  it.each(['', 'a b', 'a/b', 'x'.repeat(251)])('rejects task id %j', (taskId) => {
    const dag = new DAG({ dagId: 'd' });
    expect(invalidField(() => dag.task(taskId, noop))).toBe('taskId');
  });

  it('rejects a task without a function', () => {
    const dag = new DAG({ dagId: 'd' });
    const e = thrown(() => dag.task('t', 'run' as never));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toContain("task 't'");
  });

  it('rejects a duplicate task id, naming DAG and task', () => {
    const dag = new DAG({ dagId: 'd' });
    dag.task('extract', noop);
    const e = thrown(() => dag.task('extract', noop));
    expect(e).toBeInstanceOf(DuplicateTaskIdError);
    expect((e as DuplicateTaskIdError).taskId).toBe('extract');
    expect((e as DuplicateTaskIdError).dagId).toBe('d');
    expect((e as Error).message).toContain("'extract'");
  });
});

function tasks(dag: DAG, ...ids: string[]): Task[] {
  return ids.map((id) => dag.task(id, noop));
}

function edges(dag: DAG): string[] {
  return dag.tasks.flatMap((t) => [...t.downstreamTaskIds].map((d) => `${t.taskId}>${d}`)).sort();
}

/** Checks that a reported cycle is a closed walk along real edges over exactly `members`. */
function expectCycle(dag: DAG, cycle: readonly string[], members: string[]): void {
  expect(cycle[0]).toBe(cycle[cycle.length - 1]);
  expect(new Set(cycle)).toEqual(new Set(members));
  expect(cycle).toHaveLength(members.length + 1);
  for (let i = 1; i < cycle.length; i++) expect(dag.getTask(cycle[i - 1] as string).downstreamTaskIds.has(cycle[i] as string)).toBe(true);
}

describe('dependencies', () => {
  it('then returns its argument so a.then(b).then(c) reads as a >> b >> c', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c] = tasks(dag, 'a', 'b', 'c') as [Task, Task, Task];
    expect(a.then(b).then(c)).toBe(c);
    expect(edges(dag)).toEqual(['a>b', 'b>c']);
    expect([...b.upstreamTaskIds]).toEqual(['a']);
    expect([...b.downstreamTaskIds]).toEqual(['c']);
  });

  it('fans out with then([..]) and in with after(..), and is idempotent', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c, d] = tasks(dag, 'a', 'b', 'c', 'd') as [Task, Task, Task, Task];
    expect(a.then([b, c])).toEqual([b, c]);
    expect(d.after(b, [c])).toBe(d);
    a.then(b);
    expect(edges(dag)).toEqual(['a>b', 'a>c', 'b>d', 'c>d']);
  });

  it('has Airflow-named setDownstream and setUpstream', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c] = tasks(dag, 'a', 'b', 'c') as [Task, Task, Task];
    a.setDownstream(b, [c]);
    c.setUpstream(b);
    expect(edges(dag)).toEqual(['a>b', 'a>c', 'b>c']);
  });

  it('chain links tasks in order, fans out and in around lists, and pairs adjacent lists', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c, d, e, f, g] = tasks(dag, 'a', 'b', 'c', 'd', 'e', 'f', 'g') as [Task, Task, Task, Task, Task, Task, Task];
    chain(a, [b, c], [d, e], f, g);
    expect(edges(dag)).toEqual(['a>b', 'a>c', 'b>d', 'c>e', 'd>f', 'e>f', 'f>g']);
  });

  it('chain rejects adjacent lists of different lengths', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c] = tasks(dag, 'a', 'b', 'c') as [Task, Task, Task];
    expect(thrown(() => chain([a, b], [c]))).toBeInstanceOf(DagDefinitionError);
  });

  it('chain with fewer than two elements does nothing', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a] = tasks(dag, 'a') as [Task];
    chain(a);
    chain();
    expect(edges(dag)).toEqual([]);
  });

  it('refuses an edge to a task of another DAG, and one to something that is not a task', () => {
    const one = new DAG({ dagId: 'one' });
    const two = new DAG({ dagId: 'two' });
    const a = one.task('a', noop);
    const b = two.task('b', noop);
    for (const link of [() => a.then(b), () => b.after(a), () => chain(a, b)]) {
      const e = thrown(link);
      expect(e).toBeInstanceOf(DagDefinitionError);
      expect((e as Error).message).toMatch(/another DAG/);
    }
    expect(thrown(() => a.then(undefined as unknown as Task))).toBeInstanceOf(DagDefinitionError);
    expect(edges(one)).toEqual([]);
    expect(edges(two)).toEqual([]);
  });

  it('refuses a self-loop at once, naming it', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a] = tasks(dag, 'a') as [Task];
    const e = thrown(() => a.then(a));
    expect(e).toBeInstanceOf(DagCycleError);
    expect((e as DagCycleError).cycle).toEqual(['a', 'a']);
    expect((e as Error).message).toContain('a >> a');
  });

  it('reports a 2-cycle on validate, naming it', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b] = tasks(dag, 'a', 'b') as [Task, Task];
    a.then(b);
    b.then(a);
    const e = thrown(() => dag.validate());
    expect(e).toBeInstanceOf(DagCycleError);
    expectCycle(dag, (e as DagCycleError).cycle, ['a', 'b']);
    expect((e as DagCycleError).dagId).toBe('d');
  });

  it('names only the tasks of a longer cycle, not those before or after it', () => {
    const dag = new DAG({ dagId: 'd' });
    const [start, p, q, r, s, end] = tasks(dag, 'start', 'p', 'q', 'r', 's', 'end') as [Task, Task, Task, Task, Task, Task];
    chain(start, p, q, r, s, end);
    s.then(q);
    const e = thrown(() => dag.topologicalOrder());
    expect(e).toBeInstanceOf(DagCycleError);
    expectCycle(dag, (e as DagCycleError).cycle, ['q', 'r', 's']);
    expect((e as Error).message).toMatch(/has a cycle: \w+ >> \w+ >> \w+ >> \w+/);
  });
});

describe('graph queries', () => {
  it('orders tasks after their upstream, ties by the order they were added', () => {
    const dag = new DAG({ dagId: 'd' });
    const [z, y, x, w, v] = tasks(dag, 'z', 'y', 'x', 'w', 'v') as [Task, Task, Task, Task, Task];
    // z >> v, y >> x: x was added before v, so it comes first once both are ready.
    z.then(v);
    y.then(x);
    w.after(x, v);
    expect(dag.topologicalOrder()).toEqual(['z', 'y', 'x', 'v', 'w']);
  });

  it('gives every task after all of its upstream tasks in a wide graph', () => {
    const dag = new DAG({ dagId: 'd' });
    const ts = Array.from({ length: 60 }, (_, i) => dag.task(`t${i}`, noop));
    for (let i = 0; i < ts.length; i++) for (const j of [i * 2 + 1, i * 3 + 2]) if (j < ts.length) (ts[i] as Task).then(ts[j] as Task);
    const order = dag.topologicalOrder();
    expect(new Set(order).size).toBe(60);
    const pos = new Map(order.map((id, i) => [id, i]));
    for (const t of dag.tasks) for (const d of t.downstreamTaskIds) expect(pos.get(t.taskId)).toBeLessThan(pos.get(d) as number);
  });

  it('knows roots, leaves, tasks and ids', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b, c, lone] = tasks(dag, 'a', 'b', 'c', 'lone') as [Task, Task, Task, Task];
    a.then([b, c]);
    expect(dag.roots.map((t) => t.taskId)).toEqual(['a', 'lone']);
    expect(dag.leaves.map((t) => t.taskId)).toEqual(['b', 'c', 'lone']);
    expect(dag.taskIds).toEqual(['a', 'b', 'c', 'lone']);
    expect(dag.hasTask('b')).toBe(true);
    expect(dag.hasTask('nope')).toBe(false);
    expect(dag.getTask('c')).toBe(c);
    expect(lone.upstreamTaskIds.size).toBe(0);
    expect(thrown(() => dag.getTask('nope'))).toBeInstanceOf(DagDefinitionError);
  });
});

describe('serializeDag', () => {
  it('round-trips through JSON with structure, arguments and schedule intact', () => {
    const dag = new DAG({
      dagId: 'mlops_pipeline',
      description: 'Iris',
      schedule: { days: 1 },
      startDate: '2025-01-01',
      endDate: '2026-01-01',
      catchup: false,
      tags: ['ml'],
      params: { n: { type: 'integer', default: 3, minimum: 1 } },
      defaultArgs: { owner: 'ml', retries: 1 },
    });
    const pre = dag.task('preprocess_data', noop);
    const train = dag.task('train_model', noop, { owner: 'alice', executionTimeout: '10m' });
    const evaluate = dag.task('evaluate_model', noop, { triggerRule: 'all_done' });
    const report = dag.task('generate_report', noop);
    chain(pre, train, evaluate, report);

    const s = serializeDag(dag);
    const json = JSON.stringify(s);
    expect(JSON.parse(json)).toEqual(s);
    expect(serializedDagToJson(s)).toEqual(JSON.parse(json));
    expect(s.version).toBe(SERIALIZED_DAG_VERSION);
    expect(s.schedule).toEqual({ kind: 'interval', everyMs: 86_400_000, summary: '1 day, 0:00:00' });
    expect(s.startDate).toBe('2025-01-01T00:00:00.000Z');
    expect(s.endDate).toBe('2026-01-01T00:00:00.000Z');
    expect(s.owners).toEqual(['alice', 'ml']);
    expect(s.tasks.map((t) => t.taskId)).toEqual(['preprocess_data', 'train_model', 'evaluate_model', 'generate_report']);
    const t = s.tasks[1];
    expect(t).toMatchObject({ taskId: 'train_model', owner: 'alice', retries: 1, executionTimeoutMs: 600_000, upstreamTaskIds: ['preprocess_data'], downstreamTaskIds: ['evaluate_model'] });
    expect(s.tasks[2]?.triggerRule).toBe('all_done');
    expect(s.params).toEqual({ n: { type: 'integer', default: 3, minimum: 1 } });
    expect(json).not.toContain('callable');
  });

  it('refuses a cyclic DAG', () => {
    const dag = new DAG({ dagId: 'd' });
    const [a, b] = tasks(dag, 'a', 'b') as [Task, Task];
    chain(a, b, a);
    expect(thrown(() => serializeDag(dag))).toBeInstanceOf(DagCycleError);
  });
});
