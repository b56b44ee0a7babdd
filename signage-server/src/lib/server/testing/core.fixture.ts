import { createCoreServices } from '../core.services';
import type { Role, SessionUser } from '../auth/roles';
import { createTestEnvironment } from './signage.fixture';

/** The cheapest scrypt cost the hash format accepts: tests check behaviour, not cost. */
export const TEST_SCRYPT = { logN: 10, r: 8, p: 1 } as const;

/** The core services (audit, auth, users, registry) over a fresh temp database with a manual clock. */
export function createTestCore() {
  const env = createTestEnvironment();
  const core = createCoreServices({ clock: env.clock, db: env.db, keys: env.keys, scrypt: TEST_SCRYPT });
  return { ...env, ...core };
}
export type TestCore = ReturnType<typeof createTestCore>;

/** The acting admin in service calls. */
export const SYSTEM_ADMIN: SessionUser = {
  id: 'test-admin',
  username: 'test-admin',
  displayName: 'Test',
  roles: ['admin'],
};

/**
 * Creates a user who can sign in straight away with `password` (the must-change flag of admin-made accounts is
 * cleared, as if they had already chosen it).
 */
export async function createSignedUpUser(
  core: TestCore,
  username: string,
  roles: Role[],
  password = 'a good long password',
): Promise<SessionUser> {
  const created = await core.users.create({ username, displayName: username, roles, password }, SYSTEM_ADMIN);
  if (!created.ok) throw new Error(`cannot create ${username}: ${created.error.kind}`);
  core.db.prepare('UPDATE users SET must_change_password = 0 WHERE id = ?').run(created.value.user.id);
  return { id: created.value.user.id, username, displayName: username, roles };
}
