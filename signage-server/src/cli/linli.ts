// The Linli admin CLI. Installed as /usr/bin/linli by the Debian package; in a checkout: `npm run linli -- <command>`.
// It works on the data directory named by LINLI_DATA_DIR (the package's /etc/linli/linli.env sets it), opening
// the database directly: SQLite WAL lets it run beside the server, except `restore`, which needs the server stopped.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditService } from '../lib/server/audit/audit.service';
import { systemClock } from '../lib/server/clock';
import { loadConfig } from '../lib/server/config';
import { migrate, openDatabase, schemaVersion } from '../lib/server/db/database';
import { migrations } from '../lib/server/db/migrations/index';
import { createLogger } from '../lib/server/logger';
import { SERVER_VERSION } from '../lib/server/services';
import { UserService } from '../lib/server/users/user.service';
import { createBackup, DATABASE_FILE, restoreBackup } from './backup';
import { runDoctor } from './doctor';
import { purgeExpired, RetentionPolicy } from './retention';

const USAGE = `usage: linli <command> [options]

  status                     schema version, pending migrations, data directory
  migrate [--backup <file>]  apply pending migrations (optionally backing up first)
  backup <file>              online backup: database + assets + keys in one archive
  restore <file>             restore a backup (stop the server first); refuses a newer schema
  create-admin <username> [--display-name <name>]
                             create an admin account with a one-time password
  pairing-code [--name <device>] [--community <id>] [--ttl-minutes <n>]
                             a single-use code for enrolling a kiosk
  door-sim <doors|issue-secret|verify|offline> …
                             door-controller simulator and door secrets
  purge                      apply the retention settings now
  doctor                     check permissions, disk space, key files, clock
  version                    print the server version

Environment: LINLI_DATA_DIR (default ./data) and the other LINLI_* settings of /etc/linli/linli.env.`;

const log = createLogger('linli-cli');

function fail(message: string, code = 1): number {
  console.error(`linli: ${message}`);
  return code;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'version') {
    console.log(SERVER_VERSION);
    return 0;
  }
  if (command === 'pairing-code') {
    // the existing pairing-code program reads its own options from process.argv
    process.argv = [process.argv[0] ?? 'node', 'pairing-code', ...rest];
    await import('./pairing-code');
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  }

  if (command === 'door-sim') {
    const { runDoorSim } = await import('./door-sim');
    return runDoorSim(rest);
  }

  const config = loadConfig();
  const databaseFile = path.join(config.dataDir, DATABASE_FILE);

  switch (command) {
    case 'status': {
      const exists = fs.existsSync(databaseFile);
      let version = 0;
      if (exists) {
        const db = openDatabase(databaseFile);
        version = schemaVersion(db);
        db.close();
      }
      const pending = migrations.filter((migration) => migration.version > version).map((m) => m.name);
      console.log(
        JSON.stringify(
          {
            serverVersion: SERVER_VERSION,
            dataDir: config.dataDir,
            database: exists,
            schemaVersion: version,
            latestSchema: migrations.length,
            pending,
          },
          null,
          2,
        ),
      );
      return version > migrations.length ? fail(`database schema ${version} is newer than this build`, 3) : 0;
    }
    case 'migrate': {
      const { values } = parseArgs({ args: rest, options: { backup: { type: 'string' } } });
      if (values.backup && fs.existsSync(databaseFile)) {
        const backup = await createBackup({
          dataDir: config.dataDir,
          file: values.backup,
          clock: systemClock,
          serverVersion: SERVER_VERSION,
        });
        if (!backup.ok)
          return fail(`backup before migrating failed (${backup.error.kind}): ${backup.error.message}`);
        log.info(
          { file: values.backup, schemaVersion: backup.value.schemaVersion },
          'pre-migration backup written',
        );
      }
      const db = openDatabase(databaseFile);
      try {
        const before = schemaVersion(db);
        try {
          const after = migrate(db);
          log.info({ from: before, to: after }, after === before ? 'schema up to date' : 'migrated');
          console.log(`schema ${before} -> ${after}`);
          return 0;
        } catch (error) {
          // each migration is its own transaction: the failed one left nothing behind
          log.error(
            { from: before, reached: schemaVersion(db), error: (error as Error).message },
            'migration failed',
          );
          return fail(`migration failed at schema ${schemaVersion(db)}: ${(error as Error).message}`, 4);
        }
      } finally {
        db.close();
      }
    }
    case 'backup': {
      const file = rest[0];
      if (!file) return fail('usage: linli backup <file>', 2);
      const backup = await createBackup({
        dataDir: config.dataDir,
        file,
        clock: systemClock,
        serverVersion: SERVER_VERSION,
      });
      if (!backup.ok) return fail(`backup failed (${backup.error.kind}): ${backup.error.message}`);
      log.info(
        { file, schemaVersion: backup.value.schemaVersion, rowCounts: backup.value.rowCounts },
        'backup written',
      );
      console.log(`backup written to ${path.resolve(file)} (schema ${backup.value.schemaVersion})`);
      return 0;
    }
    case 'restore': {
      const file = rest[0];
      if (!file) return fail('usage: linli restore <file>', 2);
      const restored = restoreBackup({ dataDir: config.dataDir, file, clock: systemClock });
      if (!restored.ok)
        return fail(
          `restore refused (${restored.error.kind}): ${restored.error.message}`,
          restored.error.kind === 'newer-schema' ? 3 : 1,
        );
      log.info(
        { file, schemaVersion: restored.value.manifest.schemaVersion, movedAside: restored.value.movedAside },
        'backup restored',
      );
      console.log(`restored ${file} (schema ${restored.value.manifest.schemaVersion})`);
      if (restored.value.movedAside)
        console.log(`the previous data was moved to ${restored.value.movedAside}`);
      return 0;
    }
    case 'create-admin': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { 'display-name': { type: 'string' } },
      });
      const username = positionals[0];
      if (!username) return fail('usage: linli create-admin <username> [--display-name <name>]', 2);
      const db = openDatabase(databaseFile);
      try {
        migrate(db);
        const audit = new AuditService(db, systemClock);
        const users = new UserService({ db, clock: systemClock, audit });
        const created = await users.create(
          { username, displayName: values['display-name'] ?? username, roles: ['admin'] },
          'cli',
        );
        if (!created.ok) return fail(`create-admin failed (${created.error.kind}): ${created.error.message}`);
        console.log(`Created admin "${username}"; the password must be changed at first login:`);
        console.log(`LINLI_ADMIN_PASSWORD=${created.value.password}`);
        return 0;
      } finally {
        db.close();
      }
    }
    case 'purge': {
      const policy = RetentionPolicy.safeParse({
        auditDays: process.env.LINLI_RETENTION_AUDIT_DAYS,
        backupsKept: process.env.LINLI_RETENTION_BACKUPS_KEPT,
        visitorDays: process.env.LINLI_RETENTION_VISITOR_DAYS,
        statsDays: process.env.LINLI_STATS_RETENTION_DAYS || undefined,
      });
      if (!policy.success)
        return fail(
          `invalid retention settings: ${policy.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          2,
        );
      const db = openDatabase(databaseFile);
      try {
        const purged = purgeExpired(db, config.dataDir, policy.data, systemClock);
        log.info(purged, 'retention applied');
        console.log(JSON.stringify(purged));
        return 0;
      } finally {
        db.close();
      }
    }
    case 'doctor': {
      const report = runDoctor(config.dataDir, systemClock);
      for (const check of report) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
      return report.every((check) => check.ok) ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return fail(`unknown command ${command}`, 2);
  }
}

process.exitCode = await main(process.argv.slice(2));
