import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentEvent } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskApi } from '../shared/kiosk-api';
import type { Result } from '../shared/result';
import { startKioskHost, type KioskHost } from './kiosk-host';
import { silentLogger } from './logger';
import { SimulatedPeripherals } from './session.service';
import { FakeSignageServer } from './testing/fake-signage-server';
import { makeTempDir, waitFor } from './testing/temp-dir';
import { VISITOR_CONSENT_TEXT_VERSION } from './visitor.api';

// The visitor flow through KioskApi, as the renderer drives it, against a real host (real cache.db, real loopback
// server) and the protocol test double: consent, identity (scanned, low-confidence, typed), unit, submit, pass.

const ID_NUMBER = '11010519491231002X';

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let host: KioskHost;
let peripherals: SimulatedPeripherals;
let api: KioskApi;

beforeEach(async () => {
  server = await FakeSignageServer.start();
  temp = makeTempDir('linli-visitor-');
  const rendererDir = join(temp.dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  peripherals = new SimulatedPeripherals();
  host = await startKioskHost(
    {
      dataDir: join(temp.dir, 'data'),
      serverUrl: server.url,
      pairingCode: server.createPairingCode(),
      port: 0,
      rendererDir,
      sync: { pollIntervalMs: 3_600_000, retryInitialMs: 20, retryMaxMs: 200 },
      receiptPrinter: join(temp.dir, 'printer.bin'),
      visitor: { outbox: { retryInitialMs: 20, retryMaxMs: 100 } },
    },
    { logger: () => silentLogger, speechTools: { synthesizer: null, player: null }, peripherals },
  );
  api = host.api;
  await waitFor(async () => (await api.getStatus()).ok && host.sync.getStatus().enrolled, 'enrolment');
});
afterEach(async () => {
  await host.stop();
  await server.stop();
  temp.remove();
});

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function scan(
  fields: Record<string, { value: string; confidence: number }>,
  via: 'ocr' | 'simulator' = 'simulator',
) {
  const low = Object.entries(fields).filter(([, field]) => field.confidence < 0.75);
  const event: DocumentEvent = {
    type: 'document',
    at: new Date().toISOString(),
    reader: 'camera',
    kind: 'cn-id',
    fields,
    confidence: Math.min(...Object.values(fields).map((field) => field.confidence)),
    valid: low.length === 0,
    problems: low.map(([field]) => ({ kind: 'low-confidence', field, message: `${field} is uncertain` })),
    source: { via, input: via === 'ocr' ? 'camera-frame' : 'fields' },
  };
  peripherals.emit(event);
}

const visit = {
  buildingId: 'b2',
  unitNumber: '1201',
  reason: 'friend',
  companions: 1,
  phone: '13812345678',
} as const;

describe('visitor registration through KioskApi', () => {
  it('consent, a scanned ID, the unit, submit, the resident approves: a pass, printed once', async () => {
    expect(value(await api.visitorSettings())).toEqual({
      consentTextVersion: VISITOR_CONSENT_TEXT_VERSION,
      // The server states its retention period; the kiosk's consent text says what the server will do.
      retentionDays: 30,
      gateMode: false,
    });
    expect(await api.visitorSubmit(visit)).toMatchObject({ ok: false, error: { kind: 'no-consent' } });
    value(await api.visitorConsent({ textVersion: VISITOR_CONSENT_TEXT_VERSION }));
    expect(await api.visitorIdentify({ from: 'document' })).toMatchObject({
      ok: false,
      error: { kind: 'no-document' },
    });

    scan({ name: { value: '张三丰', confidence: 0.99 }, idNumber: { value: ID_NUMBER, confidence: 0.99 } });
    // Certain fields come back masked only.
    expect(value(await api.visitorDocument())).toMatchObject({
      name: { value: '张**', needsConfirmation: false },
      documentNumber: { value: '110105********002X', needsConfirmation: false },
    });
    expect(value(await api.visitorIdentify({ from: 'document' }))).toEqual({
      kind: 'cn-id',
      source: 'reader',
      maskedName: '张**',
      maskedNumber: '110105********002X',
    });
    expect(value(await api.visitorBuildings()).map((b) => b.id)).toEqual(['b2', 'b3']);
    expect(value(await api.visitorUnitLookup({ buildingId: 'b2', unitNumber: '9999' }))).toMatchObject({
      found: false,
    });
    expect(value(await api.visitorUnitLookup({ buildingId: 'b2', unitNumber: '1201' }))).toEqual({
      found: true,
      unitLabel: '2号楼 1201',
      residentsMasked: ['王**'],
    });

    // Two taps at once: one registration.
    const [first, second] = await Promise.all([api.visitorSubmit(visit), api.visitorSubmit(visit)]);
    const submitted = value(first);
    expect(value(second)).toEqual(submitted);
    expect(submitted).toMatchObject({
      state: 'registered',
      visit: { status: 'pending-resident', hostMasked: '王**' },
    });
    expect(server.visitors.visits.size).toBe(1);
    const sent = server.latestVisit()!.registration;
    expect(sent.identity).toMatchObject({ documentNumber: ID_NUMBER, name: '张三丰', source: 'reader' });
    expect(sent.consent.textVersion).toBe(VISITOR_CONSENT_TEXT_VERSION);

    server.decideVisit(submitted.clientRef, 'approved');
    const approved = value(await api.visitorProgress());
    expect(approved).toMatchObject({
      state: 'registered',
      printed: 'printed',
      visit: { status: 'approved' },
    });
    const token = approved.state === 'registered' ? approved.visit.pass!.token : '';
    const printed = readFileSync(join(temp.dir, 'printer.bin'));
    expect(printed.includes(Buffer.from(token))).toBe(true);
    expect(printed.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
    // Polled again: not printed twice.
    value(await api.visitorProgress());
    expect(readFileSync(join(temp.dir, 'printer.bin')).length).toBe(printed.length);

    // Done: the reset forgets the visitor in the host.
    value(await api.resetSession());
    expect(host.visitors.holdsPersonalData()).toBe(false);
    expect(await api.visitorProgress()).toMatchObject({ ok: false, error: { kind: 'no-registration' } });
  });

  it('shows low-confidence OCR fields raw for confirmation and refuses to go on without it', async () => {
    value(await api.visitorConsent({ textVersion: VISITOR_CONSENT_TEXT_VERSION }));
    scan(
      {
        name: { value: '张三丰', confidence: 0.95 },
        idNumber: { value: '11010519491231002Y', confidence: 0.5 },
      },
      'ocr',
    );
    expect(value(await api.visitorDocument())).toMatchObject({
      source: 'ocr',
      name: { value: '张**', needsConfirmation: false },
      documentNumber: { value: '11010519491231002Y', needsConfirmation: true },
    });
    expect(await api.visitorIdentify({ from: 'document' })).toMatchObject({
      ok: false,
      error: { kind: 'needs-confirmation' },
    });
    expect(
      await api.visitorIdentify({ from: 'document', documentNumber: '110105194912310021' }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'invalid-id-number' },
    });
    expect(value(await api.visitorIdentify({ from: 'document', documentNumber: ID_NUMBER }))).toMatchObject({
      source: 'ocr',
      maskedNumber: '110105********002X',
    });
    value(await api.visitorSubmit(visit));
    expect(server.latestVisit()!.registration.identity).toMatchObject({
      documentNumber: ID_NUMBER,
      confidence: 0.95,
    });
  });

  it('checks a typed ID number with GB 11643 before going on', async () => {
    for (const [documentNumber, ok] of [
      ['110105194912310021', false],
      ['11010519491231002', false],
      ['99010519491231002X', false],
      [ID_NUMBER, true],
    ] as const) {
      const answer = await api.visitorIdentify({ from: 'manual', name: '李四', documentNumber });
      expect(answer.ok, documentNumber).toBe(ok);
      if (!answer.ok) expect(answer.error.kind).toBe('invalid-id-number');
    }
  });

  it('sends the visitor to the guard when the server is down, and delivers later with deferred', async () => {
    value(await api.visitorConsent({ textVersion: VISITOR_CONSENT_TEXT_VERSION }));
    value(await api.visitorIdentify({ from: 'manual', name: '李四', documentNumber: ID_NUMBER }));
    server.faults.visitorsDown = true;
    const queued = value(await api.visitorSubmit(visit));
    expect(queued).toEqual({ state: 'queued', clientRef: expect.any(String) });
    // Asked again (a double tap, a reconnecting page): the same registration, still queued.
    expect(value(await api.visitorSubmit(visit))).toEqual(queued);
    server.faults.visitorsDown = false;
    await waitFor(() => host.outbox.pendingCount() === 0, 'outbox delivery');
    expect(server.visitors.visits.size).toBe(1);
    expect(server.latestVisit()!.registration).toMatchObject({ clientRef: queued.clientRef, deferred: true });
  });
});
