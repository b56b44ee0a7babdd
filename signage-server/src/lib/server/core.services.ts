import { AuditService } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import type { ScryptParams } from './auth/password';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Db } from './db/database';
import type { ServerKeys } from './keys';
import { seedDemoCommunity } from './registry/demo-community';
import { RegistryImportService } from './registry/registry-import.service';
import { RegistryService } from './registry/registry.service';
import { UserService } from './users/user.service';

/** The core half of the server: audit trail, sign-in and sessions, users and roles, the property registry. */
export interface CoreServices {
  audit: AuditService;
  auth: AuthService;
  users: UserService;
  registry: RegistryService;
  registryImport: RegistryImportService;
}

/** What the core services are built on. */
export interface CoreDependencies {
  clock: Clock;
  db: Db;
  keys: Pick<ServerKeys, 'dataKey' | 'hashKey'>;
  /** Password hash cost; tests lower it. */
  scrypt?: ScryptParams;
}

/** Wires the core services. */
export function createCoreServices({ clock, db, keys, scrypt }: CoreDependencies): CoreServices {
  const audit = new AuditService(db, clock);
  const auth = new AuthService({ db, clock, audit, ...(scrypt ? { scrypt } : {}) });
  const users = new UserService({ db, clock, audit, ...(scrypt ? { scrypt } : {}) });
  const registry = new RegistryService({ db, clock, keys, audit });
  const registryImport = new RegistryImportService({
    db,
    clock,
    audit,
    repository: registry.repository,
    sealPhone: (phone) => registry.sealPhone(phone),
  });
  return { audit, auth, users, registry, registryImport };
}

/**
 * First-start work of the core: the `admin` account when there is no user, and the demo community when the
 * registry is empty and LINLI_SEED_DEMO is on. A generated admin password is printed exactly once, as the line
 * `LINLI_ADMIN_PASSWORD=<password>` (`npm start` and the tests read it from stdout).
 */
export async function startCoreServices(
  services: CoreServices & { config: Pick<ServerConfig, 'adminPassword' | 'seedDemo'>; clock: Clock; db: Db },
  log: (line: string) => void = console.log,
): Promise<void> {
  const admin = await services.users.ensureFirstAdmin(services.config.adminPassword);
  if (admin.created && admin.generatedPassword) {
    log('Created the CMS account "admin" with a one-time password (it must be changed at first login):');
    log(`LINLI_ADMIN_PASSWORD=${admin.generatedPassword}`);
  } else if (admin.created) {
    log('Created the CMS account "admin" with the password from LINLI_ADMIN_PASSWORD.');
  }
  if (services.config.seedDemo) {
    const demo = seedDemoCommunity({
      db: services.db,
      clock: services.clock,
      audit: services.audit,
      repository: services.registry.repository,
      sealPhone: (phone) => services.registry.sealPhone(phone),
    });
    if (demo.seeded)
      log(`Seeded the demo community 幸福里社区: ${demo.units} units, ${demo.residents} residents.`);
  }
}
