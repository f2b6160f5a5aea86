export type { TaskCallable, TaskContext, TaskInstanceContext, DagRunContext, TaskLogger, XComPullOptions } from './context.js';
export { RETURN_VALUE_KEY } from './context.js';
export { DAG, chain, isDag } from './dag.js';
export type { DagOptions } from './dag.js';
export { Task, TASK_ARG_DEFAULTS, ID_PATTERN, resolveTaskArgs } from './task.js';
export type { TaskArgs, DefaultArgs, ResolvedTaskArgs, TaskGraph } from './task.js';
export { toMilliseconds, formatDuration, isDurationLike } from './duration.js';
export type { Duration, DurationObject } from './duration.js';
export { parseSchedule, nextDagRunInfo, manualDataInterval } from './schedule.js';
export type { Schedule, SchedulePreset, ScheduleSpec, DataInterval, DagRunInfo, ScheduleRestriction } from './schedule.js';
export { TriggerRule, isTriggerRule, evaluateTriggerRule, countUpstream } from './trigger-rules.js';
export type { UpstreamCounts, TriggerDecision } from './trigger-rules.js';
export { retryDelayMs } from './retry.js';
export type { RetryPolicy, RetryKey } from './retry.js';
export {
  TaskInstanceState,
  DagRunState,
  DagRunType,
  FINISHED_TI_STATES,
  UNFINISHED_TI_STATES,
  FINISHED_DAG_RUN_STATES,
  UNFINISHED_DAG_RUN_STATES,
  isTaskInstanceState,
} from './states.js';
export { normalizeParams, resolveParams, checkParamSchemas } from './params.js';
export type { ParamSpec, ParamsSpec, NormalizedParams } from './params.js';
export { findJsonProblem } from './json.js';
export type { JsonValue, JsonProblem } from './json.js';
export { serializeDag, serializedDagToJson, SERIALIZED_DAG_VERSION } from './serialize.js';
export type { SerializedDag, SerializedTask } from './serialize.js';
export {
  DagDefinitionError,
  DuplicateTaskIdError,
  DagCycleError,
  InvalidArgumentError,
  XComValueError,
  UnknownTaskError,
  ParamValidationError,
  SkipTaskError,
  FailTaskError,
} from './errors.js';
