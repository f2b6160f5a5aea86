/** A Redis URL that cannot be used, e.g. `UPDRAFT_REDIS_URL`. */
export class InvalidRedisUrlError extends Error {
  override name = 'InvalidRedisUrlError';
  /** The URL with its password masked. */
  readonly url: string;
  constructor(url: string, expected: string) {
    const masked = maskRedisUrl(url);
    super(`invalid Redis URL ${JSON.stringify(masked)}: expected ${expected}`);
    this.url = masked;
  }
}

/** An option of the BullMqExecutor or of a Worker has the wrong type or value. */
export class InvalidDistributedOptionError extends Error {
  override name = 'InvalidDistributedOptionError';
  /** `BullMqExecutor` or `Worker`. */
  readonly component: string;
  /** The option's name. */
  readonly option: string;
  constructor(component: string, option: string, expected: string, got: unknown) {
    super(`${component}: invalid option ${option}: expected ${expected}, got ${describe(got)}`);
    this.component = component;
    this.option = option;
  }
}

/** A job taken from a queue does not hold a task try this version understands. */
export class InvalidTryJobError extends Error {
  override name = 'InvalidTryJobError';
  /** The BullMQ job id. */
  readonly jobId: string;
  constructor(jobId: string, why: string) {
    super(`job ${jobId} does not hold a task try: ${why}`);
    this.jobId = jobId;
  }
}

/** A URL with its password replaced by `***`, for messages and logs. */
export function maskRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}
