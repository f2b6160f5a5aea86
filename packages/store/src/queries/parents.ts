import { NotFoundError } from '../errors.js';
import { constraintViolation } from '../driver-errors.js';

/** A `.catch` handler turning a foreign-key violation into a `NotFoundError` for the missing parent row. */
export function rethrowMissingParent(resource: NotFoundError['resource'], key: string): (error: unknown) => never {
  return (error: unknown) => {
    if (constraintViolation(error) === 'foreignKey') throw new NotFoundError(resource, key, { cause: error });
    throw error;
  };
}
