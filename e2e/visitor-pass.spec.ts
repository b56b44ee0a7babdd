// Issue 6, "Done when" 1, with real processes end to end: at a gate kiosk (gate mode, Chromium, touch, portrait) a
// visitor consents, shows an ID (a simulated scan), names building 2 and a unit, and submits; the resident approves
// through the one-time link the server issues; the kiosk shows the pass and prints it; door controllers (the server's
// door-sim CLI, its own processes) open the gate and building 2 with it and refuse building 3, and a controller
// holding the server's public key refuses it once its window has passed.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AccessPublicKeyV1, UnitLookupV1, VisitorBuildingsV1, apiPaths } from '@linli/content';
import { verifyPassToken } from '@linli/content/node';
import { axeViolations, connectKioskApi, simulatePeripheralEvent } from '../kiosk/e2e/kiosk-checks';
import { enrollDevice, repoRoot, startKiosk, startServer } from '../scripts/lib/processes.mjs';

const ADMIN_PASSWORD = 'e2e-visitor-pass-password';
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const serverDir = path.join(repoRoot, 'signage-server');

/** A valid GB 11643 number no other test uses (the check character computed here). */
function idNumber(): string {
  const first17 = `35020319900101${String(crypto.randomInt(1000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

/** Runs a server CLI (`tsx signage-server/src/cli/…`) against the server's data directory. */
async function serverCli(
  dataDir: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(tsx, args, {
    cwd: serverDir,
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

async function pairingCode(dataDir: string): Promise<string> {
  const result = await serverCli(dataDir, ['src/cli/pairing-code.ts', '--community', 'xingfuli']);
  const match = /^LINLI_PAIRING_CODE=(\S+)$/m.exec(result.stdout);
  if (result.code !== 0 || !match?.[1])
    throw new Error(`pairing-code CLI failed: ${result.stdout}${result.stderr}`);
  return match[1];
}

const DOORS = ['gate-xingfuli', 'bldg-xingfuli-b2', 'bldg-xingfuli-b3'];

let work: string;
let server: Awaited<ReturnType<typeof startServer>>;
let kiosk: Awaited<ReturnType<typeof startKiosk>>;
let printer: string;
/** A second gate device of the community, to look up a unit the way the kiosk does. */
let probe: { credential: string };
/** Each door controller's secret, issued when the controllers were installed (before any visitor came). */
const secrets: Record<string, string> = {};

test.beforeAll(async () => {
  test.setTimeout(180_000);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-visitor-'));
  printer = path.join(work, 'pass-printer.bin');
  server = await startServer({
    dataDir: path.join(work, 'server'),
    env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  // Independent set-up side by side: each CLI run is a process of its own that mostly waits on its start-up.
  const startKioskWithCode = async () => {
    kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: await pairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
      extraArgs: ['--mode', 'gate', '--simulate-peripherals', '--receipt-printer', printer],
    });
  };
  const enrolProbe = async () => {
    probe = (await enrollDevice(server.url, await pairingCode(server.dataDir), 'probe')) as {
      credential: string;
    };
  };
  const issueSecret = async (door: string) => {
    const issued = await serverCli(server.dataDir, ['src/cli/door-sim.ts', 'issue-secret', '--door', door]);
    if (issued.code !== 0) throw new Error(`issue-secret ${door} failed: ${issued.stderr}`);
    secrets[door] = /^LINLI_DOOR_SECRET=(\S+)$/m.exec(issued.stdout)![1]!;
  };
  await Promise.all([startKioskWithCode(), enrolProbe(), ...DOORS.map(issueSecret)]);
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('a visitor registers with a simulated ID scan; the resident approves; the pass opens gate and building 2 only', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const visitorId = idNumber();
  // A unit of building 2 with residents, found the way the kiosk finds it (another enrolled gate device).
  const call = async (pathname: string, body?: unknown) =>
    (
      await fetch(`${server.url}${pathname}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${probe.credential}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
    ).json();
  const buildings = VisitorBuildingsV1.parse(await call(apiPaths.visitorBuildings));
  const b2 = buildings.buildings.find((b) => b.label === '2号楼')!;
  let unitNumber = '';
  for (const candidate of ['1-0101', '1-0102', '2-0101', '2-0102', '1-0201', '1-0202']) {
    const lookup = UnitLookupV1.parse(
      await call(apiPaths.visitorUnitLookup, { buildingId: b2.id, unitNumber: candidate }),
    );
    if (lookup.found && lookup.residentsMasked.length > 0) {
      unitNumber = candidate;
      break;
    }
  }
  expect(unitNumber).not.toBe('');

  // The visitor, at the gate kiosk.
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await page.goto(kiosk.url);
  await page.getByTestId('home-visitor').tap();
  await expect(page.getByTestId('visitor-retention')).toContainText(`${buildings.retentionDays ?? 90} 天`);
  await page.getByTestId('visitor-agree').tap();
  await expect(page.getByTestId('visitor-identify')).toBeVisible();
  await simulatePeripheralEvent(kiosk.url, {
    type: 'document',
    at: new Date().toISOString(),
    reader: 'Linli ID Reader',
    kind: 'cn-id',
    fields: { name: { value: '欧阳明', confidence: 0.99 }, idNumber: { value: visitorId, confidence: 0.99 } },
    confidence: 0.99,
    valid: true,
    problems: [],
    source: { via: 'simulator', input: 'fields' },
  });
  await page.getByTestId(`visitor-building-${b2.id}`).tap();
  for (const char of unitNumber) {
    if (char === '-') await page.getByTestId('visitor-unit-dash').tap();
    else await page.locator(`[data-skbtn="${char}"]`).tap();
  }
  await expect(page.getByTestId('visitor-field-unit-value')).toHaveText(unitNumber);
  await page.getByTestId('visitor-find').tap();
  await expect(page.getByTestId('visitor-unit-found')).toContainText(`2号楼 ${unitNumber}`);
  await page.getByTestId('visitor-yes').tap();
  await page.getByTestId('visitor-reason-family').tap();
  for (const digit of '13698765432') await page.locator(`[data-skbtn="${digit}"]`).tap();
  await page.getByTestId('visitor-submit').tap();
  await expect(page.getByTestId('visitor-waiting')).toBeVisible();

  // The resident, on the one-time link the server sent (the station console shows it; the log records it).
  const [link] = await server.output.waitFor(/\/v\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/, 30_000);
  // Without JavaScript: the form is posted the plain way, as it is when a slow phone is tapped before the page's
  // script runs (a page sent with `Referrer-Policy: no-referrer` then posted `Origin: null`, refused as cross-site).
  const resident = await (await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false })).newPage();
  await resident.goto(`${server.url}${link}`);
  await expect(resident.locator('body')).toContainText('欧**');
  await resident.getByRole('button', { name: '允许进入' }).click();
  await expect(resident.locator('body')).toContainText('已允许');

  // Back at the kiosk: the pass, without reloading.
  const qr = page.getByTestId('visitor-pass-qr');
  await expect(qr).toBeVisible({ timeout: 30_000 });
  const token = (await qr.getAttribute('data-token'))!;
  await expect(page.getByTestId('visitor-pass-doors')).toContainText('2号楼');
  await expect(page.getByTestId('visitor-printed')).toBeVisible();
  expect(fs.readFileSync(printer).includes(Buffer.from(token))).toBe(true);
  expect(await axeViolations(page)).toEqual([]);

  // Door controllers: their own processes, asking the server, all at once as at a real gate.
  const verify = (door: string) =>
    serverCli(server.dataDir, [
      'src/cli/door-sim.ts',
      'verify',
      '--server',
      server.url,
      '--door',
      door,
      '--secret',
      secrets[door]!,
      '--qr',
      token,
    ]);
  const [gate, building2, building3] = await Promise.all(DOORS.map(verify));
  expect(gate!.code, gate!.stderr).toBe(0);
  expect(JSON.parse(gate!.stdout)).toMatchObject({ allow: true, reason: 'ok-visitor-pass' });
  expect(JSON.parse(building2!.stdout)).toMatchObject({ allow: true, reason: 'ok-visitor-pass' });
  expect(building3!.code).toBe(1);
  expect(JSON.parse(building3!.stdout)).toMatchObject({ allow: false, reason: 'wrong-door' });

  // After expiry: a controller holding the server's public key judges the same token at a moment past its window
  // (the server's own clock cannot be moved from outside; the signed window is what both sides check).
  const key = AccessPublicKeyV1.parse(await (await fetch(`${server.url}${apiPaths.accessPublicKey}`)).json());
  const host = await connectKioskApi(kiosk.url);
  let validTo: string;
  try {
    const progress = await host.api.visitorProgress();
    if (!progress.ok || progress.value.state !== 'registered')
      throw new Error('no registration in the kiosk');
    validTo = progress.value.visit.pass!.validTo;
  } finally {
    host.close();
  }
  const inside = verifyPassToken(token, key.spki, {
    doorId: 'bldg-xingfuli-b2',
    now: new Date(Date.parse(validTo) - 60_000),
  });
  expect(inside).toMatchObject({ allow: true });
  const after = verifyPassToken(token, key.spki, {
    doorId: 'bldg-xingfuli-b2',
    now: new Date(Date.parse(validTo) + 60_000),
  });
  expect(after).toMatchObject({ allow: false, reason: 'expired' });

  // Done: the kiosk forgets the visitor; the raw ID number is in no kiosk file.
  await page.getByTestId('visitor-done').tap();
  await expect(page.getByTestId('home-visitor')).toBeVisible();
  for (const file of fs.readdirSync(path.join(work, 'kiosk'))) {
    const full = path.join(work, 'kiosk', file);
    if (fs.statSync(full).isFile())
      expect(fs.readFileSync(full).includes(Buffer.from(visitorId)), file).toBe(false);
  }
});
