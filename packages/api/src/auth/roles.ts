/** What a user may do: viewers read, ops also trigger, clear, pause and mark; admins also manage users. */
export type Role = 'viewer' | 'op' | 'admin';

/** Every role, least powerful first. */
export const ROLES: readonly Role[] = ['viewer', 'op', 'admin'];

/** Whether `value` is a role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a user with `role` may do what needs `required`. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}
