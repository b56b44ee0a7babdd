// A door-controller simulator for demos and tests: it asks the server whether a QR pass or a card opens a door,
// exactly as a gate or building controller does, or verifies a pass offline with the server's public key.
//
//   linli door-sim doors                                   list door ids (reads the data directory)
//   linli door-sim issue-secret --door <id>                a new controller secret for a door (shown once)
//   linli door-sim verify --server <url> --door <id> --secret <s> (--qr <token> | --card <uid>)
//   linli door-sim offline --server <url> | --public-key <spki> --door <id> --qr <token> [--at <ISO time>]
//
// `verify` and `offline` print the decision as one JSON line and exit 0 when the door opens, 1 when it stays shut.
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  AccessPublicKeyV1,
  AccessVerifyResponseV1,
  apiPaths,
  type AccessVerifyRequestV1,
} from '@linli/content';
import { verifyPassToken } from '@linli/content/node';
import { CardRepository } from '../lib/server/cards/card.repository';
import { systemClock } from '../lib/server/clock';
import { loadConfig } from '../lib/server/config';
import { createCoreServices } from '../lib/server/core.services';
import { migrate, openDatabase } from '../lib/server/db/database';
import { loadKeys } from '../lib/server/keys';
import { createLogger } from '../lib/server/logger';
import { createVisitorServices } from '../lib/server/visitors.services';

const USAGE = `usage: linli door-sim <doors | issue-secret | verify | offline> [options]
  doors                                   list the door ids of every community
  issue-secret --door <id>                issue a new controller secret for a door (printed once)
  verify --server <url> --door <id> --secret <secret> (--qr <token> | --card <uid>)
  offline (--server <url> | --public-key <spki base64>) --door <id> --qr <token> [--at <ISO time>]
                                          (--at: the controller's clock, e.g. to show a pass expiring)`;

function withDataDir<T>(
  work: (services: ReturnType<typeof createVisitorServices>, communities: string[]) => T,
): T {
  const config = loadConfig();
  const db = openDatabase(path.join(config.dataDir, 'linli.db'));
  try {
    migrate(db);
    const keys = loadKeys(config.dataDir);
    const core = createCoreServices({ clock: systemClock, db, keys });
    const cards = new CardRepository(db);
    const services = createVisitorServices({
      config,
      clock: systemClock,
      db,
      keys,
      audit: core.audit,
      registry: core.registry,
      cards: { getByUid: (uid) => cards.getByUid(uid) },
      log: createLogger('door-sim'),
    });
    return work(
      services,
      core.registry.listCommunities().map((c) => c.id),
    );
  } finally {
    db.close();
  }
}

/** Runs the simulator; returns the exit code. */
export async function runDoorSim(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      server: { type: 'string' },
      door: { type: 'string' },
      secret: { type: 'string' },
      qr: { type: 'string' },
      card: { type: 'string' },
      'public-key': { type: 'string' },
      at: { type: 'string' },
    },
  });
  switch (command) {
    case 'doors':
      return withDataDir((services, communities) => {
        for (const community of communities)
          for (const door of services.access.doors(community))
            console.log(`${door.id}\t${door.label}\t${door.secretIssuedAt ? 'secret issued' : 'no secret'}`);
        return 0;
      });
    case 'issue-secret': {
      if (!values.door) break;
      const door = values.door;
      return withDataDir((services) => {
        const issued = services.access.issueDoorSecret(door, 'cli');
        if (!issued.ok) {
          console.error(`door-sim: ${issued.error.message}`);
          return 1;
        }
        console.log(`LINLI_DOOR_SECRET=${issued.value.secret}`);
        return 0;
      });
    }
    case 'verify': {
      if (!values.server || !values.door || !values.secret || (!values.qr && !values.card)) break;
      const body: AccessVerifyRequestV1 = {
        doorId: values.door,
        credential: values.qr
          ? { kind: 'qr', token: values.qr }
          : { kind: 'card', uid: values.card!.toUpperCase() },
      };
      const response = await fetch(new URL(apiPaths.accessVerify, values.server), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${values.secret}` },
        body: JSON.stringify(body),
      });
      const json: unknown = await response.json();
      if (!response.ok) {
        console.error(`door-sim: server answered ${response.status}: ${JSON.stringify(json)}`);
        return 2;
      }
      const decision = AccessVerifyResponseV1.parse(json);
      console.log(JSON.stringify(decision));
      return decision.allow ? 0 : 1;
    }
    case 'offline': {
      if ((!values.server && !values['public-key']) || !values.door || !values.qr) break;
      const key =
        values['public-key'] ??
        AccessPublicKeyV1.parse(await (await fetch(new URL(apiPaths.accessPublicKey, values.server))).json())
          .spki;
      const now = values.at ? new Date(values.at) : new Date();
      if (Number.isNaN(now.getTime())) break;
      const verdict = verifyPassToken(values.qr, key, { doorId: values.door, now });
      console.log(JSON.stringify({ allow: verdict.allow, reason: verdict.reason, offline: true }));
      return verdict.allow ? 0 : 1;
    }
  }
  console.error(USAGE);
  return 2;
}

// run directly (`tsx src/cli/door-sim.ts …`) as well as through `linli door-sim`
if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await runDoorSim(process.argv.slice(2));
