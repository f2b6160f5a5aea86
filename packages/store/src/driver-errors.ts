/** Recognizes constraint violations by the drivers' error codes, never by message text (internal). */

/** The kind of integrity constraint a driver error reports, if any. */
export function constraintViolation(error: unknown): 'unique' | 'foreignKey' | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const code = error.code;
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
    case '23505':
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
    case '23503':
      return 'foreignKey';
    default:
      return null;
  }
}
