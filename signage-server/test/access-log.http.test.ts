// The access log promise of issue 6 ("every attempt logged") across a real server process: door controllers keep
// asking while the server is told to stop (SIGTERM), and every attempt the server answered is in the access log
// afterwards, including those answered after the stop signal, which the writer thread drains as the process exits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AccessVerifyResponseV1, apiPaths } from '@linli/content';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_PRESENT, freePort, NO_BUILD_MESSAGE, SERVER_DIR } from './support/server-process';
import { startServerAt, type RestartableServer } from './support/payments-server';

const DOOR = 'gate-xingfuli';
const CONTROLLERS = 20;
let server: RestartableServer | undefined;
let dataDir = '';

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `linli door-sim issue-secret` as its own process: the door controller's secret. */
async function issueSecret(): Promise<string> {
  const tsx = path.join(SERVER_DIR, '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['src/cli/linli.ts', 'door-sim', 'issue-secret', '--door', DOOR], {
    cwd: SERVER_DIR,
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const secret = /^LINLI_DOOR_SECRET=(\S+)$/m.exec(stdout)?.[1];
  if (!secret) throw new Error(`issue-secret printed no secret: ${stdout}`);
  return secret;
}

describe.skipIf(!BUILD_PRESENT)(
  `access log over HTTP${BUILD_PRESENT ? '' : ` (${NO_BUILD_MESSAGE})`}`,
  () => {
    it('logs every answered attempt, also those answered while the server stops', async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-access-log-'));
      server = await startServerAt(dataDir, await freePort(), { LINLI_ADMIN_PASSWORD: 'access-log-http-pw' });
      const secret = await issueSecret();
      const url = `${server.url}${apiPaths.accessVerify}`;

      let sent = 0;
      let answered = 0;
      let stopping = false;
      let answeredAfterStop = 0;
      let firstAnswers: () => void = () => {};
      const enough = new Promise<void>((resolve) => (firstAnswers = resolve));
      // each controller taps a different unknown card: refused, and still logged
      const controller = async (index: number) => {
        const uid = `0A0B0C${String(index).padStart(2, '0')}`;
        for (;;) {
          sent += 1;
          let response: Response;
          try {
            response = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
              body: JSON.stringify({ doorId: DOOR, credential: { kind: 'card', uid } }),
            });
          } catch {
            return; // the server has gone
          }
          const answer = AccessVerifyResponseV1.parse(await response.json());
          expect(answer).toEqual({ allow: false, reason: 'unknown-card', display: null });
          answered += 1;
          if (stopping) answeredAfterStop += 1;
          if (answered >= 1_000) firstAnswers();
        }
      };
      const controllers = Promise.all(Array.from({ length: CONTROLLERS }, (_, i) => controller(i)));
      await enough;
      stopping = true;
      await server.stop('SIGTERM');
      await controllers;

      const db = new Database(path.join(dataDir, 'linli.db'), { readonly: true });
      const rows = db
        .prepare(
          `SELECT count(*) FROM access_log WHERE door_id = ? AND reason = 'unknown-card' AND allow = 0`,
        )
        .pluck()
        .get(DOOR) as number;
      const kinds = db.prepare('SELECT DISTINCT credential_kind FROM access_log').pluck().all();
      db.close();
      // a request the server processed but whose answer the stop cut off is logged without being counted here
      expect(rows).toBeGreaterThanOrEqual(answered);
      expect(rows).toBeLessThanOrEqual(sent);
      expect(kinds).toEqual(['card']);
      expect(answered).toBeGreaterThanOrEqual(1_000);
      // the interesting part happened: answers went out after the stop signal
      expect(answeredAfterStop).toBeGreaterThan(0);
    }, 120_000);
  },
);
