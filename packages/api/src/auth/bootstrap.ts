import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { openUsers, type UsersOptions } from './users.js';

/** What {@link bootstrapAdmin} did. */
export type BootstrapResult =
  | { created: false }
  | {
      created: true;
      /** Always `admin`. */
      username: string;
      /** The generated password: print it once, it is not kept anywhere but `passwordFile`. */
      password: string;
      /** `<home>/passwords.generated`, mode 0600, JSON `{"admin": "<password>"}`. */
      passwordFile: string;
    };

/**
 * First start: when the home has no user yet, creates `admin` (role admin) with a random 192-bit password, stores
 * only its hash, and writes the password to `<home>/passwords.generated` (mode 0600) as Airflow's simple auth
 * manager does. Does nothing when any user exists. There are no default credentials.
 */
export async function bootstrapAdmin(home: string, options: Omit<UsersOptions, 'home'> = {}): Promise<BootstrapResult> {
  const users = openUsers({ ...options, home });
  if (users.list().length > 0) return { created: false };
  const { password } = await users.create('admin', 'admin');
  const passwordFile = join(home, 'passwords.generated');
  writeFileAtomic(passwordFile, `${JSON.stringify({ admin: password })}\n`, 0o600);
  return { created: true, username: 'admin', password, passwordFile };
}
