// Issue 6, "Done when" 4: 200 registrations from the outboxes of 3 kiosks while the real server process is
// SIGKILLed and restarted at random points → exactly 200 visits on the server, no duplicates, none lost.
// Each kiosk here is what holds the guarantee on the kiosk side — its own cache.db, outbox and device credential
// (kiosk/src/host/visitor-outbox.ts) — without a renderer; the server is the built one, a process of its own.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UnitLookupV1, VisitStatusV1, apiPaths, type VisitorRegistrationV1 } from '@linli/content';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openCacheDatabase } from '../kiosk/src/host/cache/cache-database';
import { systemClock } from '../kiosk/src/host/clock';
import { silentLogger } from '../kiosk/src/host/logger';
import { VisitorApiClient } from '../kiosk/src/host/visitor-api.client';
import { VisitorOutbox } from '../kiosk/src/host/visitor-outbox';
import { VisitorOutboxRepository } from '../kiosk/src/host/visitor-outbox.repository';
import { enrollDevice, freePort, repoRoot, startServer } from '../scripts/lib/processes.mjs';

const BUILT = fs.existsSync(path.join(repoRoot, 'signage-server/build/handler.js'));
const REGISTRATIONS = 200;
const KIOSKS = 3;
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

async function pairingCode(dataDir: string): Promise<string> {
  const child = spawn(tsx, ['src/cli/pairing-code.ts', '--community', 'xingfuli'], {
    cwd: path.join(repoRoot, 'signage-server'),
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const match = /^LINLI_PAIRING_CODE=(\S+)$/m.exec(stdout);
  if (!match?.[1]) throw new Error(`no pairing code: ${stdout}`);
  return match[1];
}

/** A valid GB 11643 number, different for each visitor. */
function idNumber(n: number): string {
  const first17 = `3502031985${String(1 + (n % 12)).padStart(2, '0')}15${String(n % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

describe.skipIf(!BUILT)('visitor outbox chaos against the real server', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-visitor-chaos-'));
  const serverDir = path.join(work, 'server');
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  const databases: Database.Database[] = [];

  afterAll(async () => {
    databases.forEach((db) => db.close());
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('ends with exactly one visit per registration', async () => {
    const port = await freePort();
    const start = async () =>
      (server = await startServer({
        dataDir: serverDir,
        port,
        env: { LINLI_ADMIN_PASSWORD: 'chaos-admin-pw' },
      }));
    await start();
    const url = server!.url;

    const kiosks = [];
    for (let k = 0; k < KIOSKS; k++) {
      const { credential } = (await enrollDevice(url, await pairingCode(serverDir), `gate-${k}`)) as {
        credential: string;
      };
      const db = openCacheDatabase(path.join(work, `kiosk-${k}.db`));
      migrate(db);
      databases.push(db);
      const outbox = new VisitorOutbox(
        new VisitorOutboxRepository(db),
        new VisitorApiClient(url, fetch, 3_000),
        () => credential,
        systemClock,
        silentLogger,
        { retryInitialMs: 100, retryMaxMs: 1_000 },
      );
      outbox.start();
      kiosks.push({ outbox, credential });
    }

    // A unit of building 2 that exists (any resident).
    let unitNumber = '';
    for (const candidate of ['1-0101', '1-0102', '2-0101', '1-0201']) {
      const response = await fetch(`${url}${apiPaths.visitorUnitLookup}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kiosks[0]!.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ buildingId: 'xingfuli-b2', unitNumber: candidate }),
      });
      if (UnitLookupV1.parse(await response.json()).found) {
        unitNumber = candidate;
        break;
      }
    }
    expect(unitNumber).not.toBe('');

    const sent: string[] = [];
    const submitting = (async () => {
      for (let n = 0; n < REGISTRATIONS; n++) {
        const registration: VisitorRegistrationV1 = {
          clientRef: crypto.randomUUID(),
          consent: { accepted: true, textVersion: 'visitor-consent-2026-11', at: new Date().toISOString() },
          identity: {
            documentKind: 'cn-id',
            documentNumber: idNumber(n),
            name: '欧阳明',
            source: 'reader',
            confidence: 1,
          },
          visit: {
            buildingId: 'xingfuli-b2',
            unitNumber,
            reason: 'friend',
            companions: n % 3,
            phone: '13698765432',
          },
          submittedAt: new Date().toISOString(),
          deferred: false,
        };
        sent.push(registration.clientRef);
        await kiosks[n % KIOSKS]!.outbox.submit(registration);
        await sleep(between(5, 40));
      }
    })();

    // The chaos: SIGKILL at random moments (no shutdown work at all), down for a random while, start again.
    let kills = 0;
    let done = false;
    void submitting.finally(() => (done = true));
    while (!done || kills < 3) {
      await sleep(between(300, 1_500));
      await server!.stop('SIGKILL');
      kills += 1;
      await sleep(between(100, 1_000));
      await start();
    }
    await submitting;
    const deadline = Date.now() + 120_000;
    while (kiosks.some((kiosk) => kiosk.outbox.pendingCount() > 0)) {
      if (Date.now() > deadline) throw new Error('the outboxes did not drain');
      await sleep(100);
    }
    await Promise.all(kiosks.map((kiosk) => kiosk.outbox.stop()));

    // Every registration has a visit, each its own.
    const visitIds = new Set<string>();
    for (const [n, clientRef] of sent.entries()) {
      const response = await fetch(`${url}${apiPaths.visitorRegistration(clientRef)}`, {
        headers: { authorization: `Bearer ${kiosks[n % KIOSKS]!.credential}` },
      });
      expect(response.status, clientRef).toBe(200);
      visitIds.add(VisitStatusV1.parse(await response.json()).visitId);
    }
    expect(visitIds.size).toBe(REGISTRATIONS);
    await server!.stop();
    server = null;
    const serverDb = new Database(path.join(serverDir, 'linli.db'), { readonly: true });
    try {
      expect(serverDb.prepare('SELECT COUNT(*) AS n FROM visits').get()).toEqual({ n: REGISTRATIONS });
      expect(serverDb.prepare('SELECT COUNT(DISTINCT client_ref) AS n FROM visits').get()).toEqual({
        n: REGISTRATIONS,
      });
    } finally {
      serverDb.close();
    }
    // Nothing personal left in the kiosks' outboxes.
    for (const db of databases)
      expect(db.prepare('SELECT COUNT(*) AS n FROM visitor_outbox WHERE payload IS NOT NULL').get()).toEqual({
        n: 0,
      });
    console.log(
      `visitor chaos: ${REGISTRATIONS} registrations, ${KIOSKS} kiosks, ${kills} SIGKILLs → ${visitIds.size} visits`,
    );
  }, 400_000);
});
