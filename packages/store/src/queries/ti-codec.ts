/** Task instance rows to records, keys and patches to columns (internal). */
import type { Selectable, Updateable } from 'kysely';
import { toDate, toDateOrNull } from '../codec.js';
import { timeOrNull, type StoreContext } from '../context.js';
import { StoreInputError } from '../errors.js';
import type { TaskInstanceHistoryTable, TaskInstanceTable } from '../schema.js';
import { isTaskInstanceState, TaskInstanceState } from '../states.js';
import type { TaskInstance, TaskInstanceHistory, TaskInstanceKey, TaskInstancePatch } from '../types.js';
import { dateOrNull, integer, nonEmptyString, string } from '../validate.js';

/** A task instance key with its map index filled in. */
export interface FullKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

export function fullKey(key: TaskInstanceKey, field = 'key'): FullKey {
  return {
    dagId: nonEmptyString(key.dagId, `${field}.dagId`),
    runId: nonEmptyString(key.runId, `${field}.runId`),
    taskId: nonEmptyString(key.taskId, `${field}.taskId`),
    mapIndex: key.mapIndex === undefined ? -1 : integer(key.mapIndex, `${field}.mapIndex`, -1),
  };
}

export function keyText(key: FullKey): string {
  return `${key.dagId}/${key.runId}/${key.taskId}${key.mapIndex === -1 ? '' : `[${key.mapIndex}]`}`;
}

export function checkTiState(value: unknown, field: string): TaskInstanceState | null {
  if (value !== null && !isTaskInstanceState(value)) {
    throw new StoreInputError(field, `null or one of ${Object.values(TaskInstanceState).join(', ')}`, value);
  }
  return value;
}

type TryRow = Selectable<TaskInstanceTable> | Selectable<TaskInstanceHistoryTable>;

function tryFields(row: TryRow) {
  return {
    dagId: row.dag_id,
    runId: row.run_id,
    taskId: row.task_id,
    mapIndex: row.map_index,
    state: row.state as TaskInstanceState | null,
    tryNumber: row.try_number,
    maxTries: row.max_tries,
    startDate: toDateOrNull(row.start_date),
    endDate: toDateOrNull(row.end_date),
    duration: row.duration,
    hostname: row.hostname,
    unixname: row.unixname,
    pid: row.pid,
    queuedDttm: toDateOrNull(row.queued_dttm),
    scheduledDttm: toDateOrNull(row.scheduled_dttm),
    operator: row.operator,
    pool: row.pool,
    poolSlots: row.pool_slots,
    queue: row.queue,
    priorityWeight: row.priority_weight,
    externalExecutorId: row.external_executor_id,
    updatedAt: toDate(row.updated_at),
  };
}

export function toTaskInstance(row: Selectable<TaskInstanceTable>): TaskInstance {
  return {
    id: row.id,
    ...tryFields(row),
    lastHeartbeatAt: toDateOrNull(row.last_heartbeat_at),
    note: row.note,
  };
}

export function toHistory(row: Selectable<TaskInstanceHistoryTable>): TaskInstanceHistory {
  return { id: row.id, taskInstanceId: row.task_instance_id, ...tryFields(row) };
}

type Kind = 'time' | 'int' | 'count' | 'float' | 'text' | 'requiredText';

const PATCH_COLUMNS: { [F in keyof Required<TaskInstancePatch>]: [keyof TaskInstanceTable, Kind] } = {
  tryNumber: ['try_number', 'count'],
  maxTries: ['max_tries', 'count'],
  startDate: ['start_date', 'time'],
  endDate: ['end_date', 'time'],
  duration: ['duration', 'float'],
  hostname: ['hostname', 'text'],
  unixname: ['unixname', 'text'],
  pid: ['pid', 'int'],
  queuedDttm: ['queued_dttm', 'time'],
  scheduledDttm: ['scheduled_dttm', 'time'],
  lastHeartbeatAt: ['last_heartbeat_at', 'time'],
  operator: ['operator', 'text'],
  pool: ['pool', 'requiredText'],
  poolSlots: ['pool_slots', 'count'],
  queue: ['queue', 'requiredText'],
  priorityWeight: ['priority_weight', 'int'],
  externalExecutorId: ['external_executor_id', 'text'],
  note: ['note', 'text'],
};

/** The columns a patch writes, checked; unknown fields are an error rather than silently ignored. */
export function patchColumns(ctx: StoreContext, patch: TaskInstancePatch): Updateable<TaskInstanceTable> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch) as [keyof TaskInstancePatch, unknown][]) {
    if (value === undefined) continue;
    const spec = PATCH_COLUMNS[field] as [keyof TaskInstanceTable, Kind] | undefined;
    if (!spec) throw new StoreInputError(`patch.${field}`, `one of ${Object.keys(PATCH_COLUMNS).join(', ')}`);
    const [column, kind] = spec;
    const name = `patch.${field}`;
    out[column] = encode(ctx, kind, value, name);
  }
  // Every key comes from PATCH_COLUMNS and every value from `encode` for its column's kind.
  return out;
}

function encode(ctx: StoreContext, kind: Kind, value: unknown, name: string): unknown {
  if (value === null && kind !== 'count' && kind !== 'requiredText') return null;
  switch (kind) {
    case 'time':
      return timeOrNull(ctx, dateOrNull(value as Date, name));
    case 'int':
      return integer(value, name);
    case 'count':
      return integer(value, name, 0);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreInputError(name, 'a finite number', value);
      return value;
    case 'text':
      return string(value, name);
    case 'requiredText':
      return nonEmptyString(value, name);
  }
}
