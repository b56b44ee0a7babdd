// Prints a fresh single-use pairing code for a kiosk: `LINLI_PAIRING_CODE=<code>` on stdout (npm start and the
// tests read that line). Opens the server database at LINLI_DATA_DIR directly, so it works whether or not the
// server runs (SQLite WAL lets both write).
//
//   LINLI_DATA_DIR=./data npx tsx signage-server/src/cli/pairing-code.ts [--name <device name>] [--community <id>]
//                                                                        [--ttl-minutes <n>]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditService } from '../lib/server/audit/audit.service';
import { systemClock } from '../lib/server/clock';
import { loadConfig } from '../lib/server/config';
import { migrate, openDatabase } from '../lib/server/db/database';
import { DeviceRepository } from '../lib/server/devices/device.repository';
import { DeviceService } from '../lib/server/devices/device.service';
import { PAIRING_CODE_TTL_MS } from '../lib/server/devices/device.schema';

function main(): number {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      community: { type: 'string' },
      'ttl-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: pairing-code [--name <device name>] [--community <community id>] [--ttl-minutes <n>]',
    );
    return 0;
  }
  const ttlMinutes =
    values['ttl-minutes'] === undefined ? PAIRING_CODE_TTL_MS / 60_000 : Number(values['ttl-minutes']);
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 24 * 60) {
    console.error('pairing-code: --ttl-minutes must be a whole number from 1 to 1440');
    return 2;
  }

  const config = loadConfig();
  const db = openDatabase(path.join(config.dataDir, 'linli.db'));
  try {
    migrate(db);
    const devices = new DeviceService(
      new DeviceRepository(db),
      new AuditService(db, systemClock),
      systemClock,
    );
    const issued = devices.createPairingCode(
      { communityId: values.community ?? '', deviceName: values.name ?? '' },
      null,
      ttlMinutes * 60_000,
    );
    if (!issued.ok) {
      const field = 'field' in issued.error ? `${issued.error.field}: ` : '';
      console.error(`pairing-code: ${field}${issued.error.message}`);
      return 1;
    }
    console.log(`LINLI_PAIRING_CODE=${issued.value.code}`);
    console.error(`pairing-code: valid until ${issued.value.expiresAt} (single use)`);
    return 0;
  } finally {
    db.close();
  }
}

process.exitCode = main();
