import { StoreInputError } from './errors.js';
import { integer } from './validate.js';

/** Options every adapter takes. */
export interface CommonStoreOptions {
  /** Largest XCom value accepted, as UTF-8 bytes of its JSON; default 1 MiB (1048576). */
  xcomSizeLimitBytes?: number;
  /** Clock for timestamps the caller does not give (tests pass a fake one); default `() => new Date()`. */
  now?: () => Date;
}

/** Default of `CommonStoreOptions.xcomSizeLimitBytes`: 1 MiB. */
export const DEFAULT_XCOM_SIZE_LIMIT_BYTES = 1024 * 1024;

/** Validates and fills in `CommonStoreOptions`. */
export function resolveCommonOptions(options: CommonStoreOptions): Required<CommonStoreOptions> {
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw new StoreInputError('now', 'a function returning a Date', now);
  return {
    xcomSizeLimitBytes:
      options.xcomSizeLimitBytes === undefined ? DEFAULT_XCOM_SIZE_LIMIT_BYTES : integer(options.xcomSizeLimitBytes, 'xcomSizeLimitBytes', 0),
    now,
  };
}
