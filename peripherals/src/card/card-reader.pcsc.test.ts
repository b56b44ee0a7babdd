import { PeripheralEvent, type CardPresentEvent } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, type EventRecorder } from '../hub/event-recorder';
import { createPeripheralHub, type PeripheralHub } from '../hub/peripheral-hub';
import { createPcscCardReaderDriver } from './card-reader.pcsc';
import { startPcscdHarness, VPCD_SLOTS, type PcscdHarness } from './pcscd.harness';
import {
  DESFIRE_ATR,
  insertVirtualCard,
  MIFARE_CLASSIC_1K_ATR,
  uidCardResponder,
  type VirtualCardOptions,
} from './virtual-card.vpcd';

// Every test that needs pcscd lives in this one file: there is one pcscd per machine, and vitest runs files in
// parallel. The suite is skipped, with the reason in its name, where pcscd cannot run (no root, not installed,
// another pcscd running).

const harnessResult = await startPcscdHarness();
const skipReason = harnessResult.ok ? null : `${harnessResult.error.kind}: ${harnessResult.error.message}`;
if (skipReason) console.warn(`[peripherals] PC/SC tests skipped — ${skipReason}`);

const [slot0, slot1] = VPCD_SLOTS;
const isCardPresent = (event: PeripheralEvent): event is CardPresentEvent => event.type === 'card-present';

describe.skipIf(skipReason !== null)(
  `PC/SC driver against a real pcscd + vpcd${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let pcscd: PcscdHarness;
    let hub: PeripheralHub;
    let events: EventRecorder;

    beforeAll(async () => {
      if (!harnessResult.ok) return;
      pcscd = harnessResult.value;
      hub = createPeripheralHub({
        drivers: [createPcscCardReaderDriver({ timeoutMs: 600 })],
        backoff: { initialMs: 100, maxMs: 500 },
        log: () => {},
      });
      events = recordEvents(hub);
      await hub.start();
      await events.waitFor(
        (event) => event.type === 'reader-added' && event.reader === slot0.reader,
        3000,
        0,
      );
      await events.waitFor(
        (event) => event.type === 'reader-added' && event.reader === slot1.reader,
        3000,
        0,
      );
    });

    afterAll(async () => {
      await hub?.stop();
      events?.stop();
      // Always kill the pcscd we started, even when a test failed half-way.
      await pcscd?.stop();
    });

    /** Inserts a card, waits for its card-present, and measures from the moment the reader first powered it. */
    async function tap(options: VirtualCardOptions) {
      const card = await insertVirtualCard(options);
      const { event, receivedAt } = await events.waitFor(isCardPresent, 3000);
      const detectedAt = await card.detected;
      return {
        card,
        event,
        detectionToEventMs: receivedAt - detectedAt,
        insertionToEventMs: receivedAt - card.connectedAt,
      };
    }

    it('reports both vpcd readers with their status', () => {
      const [driver] = hub.status();
      expect(driver).toMatchObject({ driver: 'pcsc', kind: 'pcsc', state: 'running' });
      expect(driver!.devices.map((device) => device.reader).sort()).toEqual([slot0.reader, slot1.reader]);
    });

    it('insert → card-present with UID and technology within 300 ms; remove → card-removed', async () => {
      const { card, event, detectionToEventMs } = await tap({
        port: slot0.port,
        atr: MIFARE_CLASSIC_1K_ATR,
        respond: uidCardResponder('04A1B2C3D4E5F6'),
      });
      expect(event).toMatchObject({
        reader: slot0.reader,
        uid: '04A1B2C3D4E5F6',
        technology: 'mifare-classic-1k',
        atr: '3B8F8001804F0CA000000306030001000000006A',
      });
      expect(PeripheralEvent.safeParse(event).success).toBe(true);
      expect(card.received).toEqual(['FFCA000000']);
      expect(detectionToEventMs).toBeLessThan(300);
      await card.remove();
      await events.waitFor((e) => e.type === 'card-removed' && e.reader === slot0.reader, 3000);
    });

    it('re-inserts repeatedly, on both readers, each time within 300 ms of the reader seeing the card', async () => {
      const timings: number[] = [];
      const insertions: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const slot = i % 2 === 0 ? slot0 : slot1;
        const desfire = i % 3 === 0;
        const uid = desfire ? `04112233445${i}66` : `A1B2C3${String(i).padStart(2, '0')}`;
        const { card, event, detectionToEventMs, insertionToEventMs } = await tap({
          port: slot.port,
          atr: desfire ? DESFIRE_ATR : MIFARE_CLASSIC_1K_ATR,
          respond: uidCardResponder(uid),
        });
        expect(event).toMatchObject({
          reader: slot.reader,
          uid,
          technology: desfire ? 'mifare-desfire' : 'mifare-classic-1k',
        });
        timings.push(detectionToEventMs);
        insertions.push(insertionToEventMs);
        await card.remove();
        await events.waitFor((e) => e.type === 'card-removed' && e.reader === slot.reader, 3000);
      }
      console.info(
        `[peripherals] card-present after reader detection: ${timings.map((t) => t.toFixed(0)).join(', ')} ms; ` +
          `after TCP insertion (includes pcscd's 400 ms vpcd poll): ${insertions.map((t) => t.toFixed(0)).join(', ')} ms`,
      );
      for (const timing of timings) expect(timing).toBeLessThan(300);
    });

    it.each([
      ['an unknown status word', () => Uint8Array.from([0x6a, 0x81]), 'function-not-supported'],
      ['a reply without status word', () => Uint8Array.from([0x90]), 'malformed-response'],
      ['a 2-byte UID', () => Uint8Array.from([0x12, 0x34, 0x90, 0x00]), 'uid-invalid-length'],
      ['random bytes', () => Uint8Array.from([0x00, 0xff, 0x13, 0x37, 0x42]), 'unknown-status'],
      ['silence', () => null, 'timeout'],
    ])(
      'a card answering GET UID with %s gives a named error, then the reader still works',
      async (_name, respond, kind) => {
        const bad = await insertVirtualCard({ port: slot1.port, atr: MIFARE_CLASSIC_1K_ATR, respond });
        const { event } = await events.waitFor((e) => e.type === 'error' && e.reader === slot1.reader, 3000);
        expect(event).toMatchObject({ type: 'error', kind });
        await bad.remove();
        // pcscd never announced this card, so no card-removed tells us when it noticed the removal; vpcd polls every
        // 400 ms and reads from the card without a timeout, so give it two poll cycles before the next card.
        await new Promise((resolve) => setTimeout(resolve, 900));
        const good = await tap({
          port: slot1.port,
          atr: MIFARE_CLASSIC_1K_ATR,
          respond: uidCardResponder('DEADBEEF'),
        });
        expect(good.event).toMatchObject({ reader: slot1.reader, uid: 'DEADBEEF' });
        await good.card.remove();
        await events.waitFor((e) => e.type === 'card-removed' && e.reader === slot1.reader, 3000);
      },
    );

    it('exchanges APDUs through the hub with status words as named errors', async () => {
      const { card } = await tap({
        port: slot0.port,
        atr: MIFARE_CLASSIC_1K_ATR,
        respond: uidCardResponder('0A0B0C0D'),
      });
      const uid = await hub.transmit(slot0.reader, Uint8Array.from([0xff, 0xca, 0x00, 0x00, 0x00]));
      expect(uid.ok && Buffer.from(uid.value.data).toString('hex')).toBe('0a0b0c0d');
      const select = await hub.transmit(slot0.reader, Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x00]));
      expect(select).toMatchObject({ ok: false, error: { kind: 'instruction-not-supported' } });
      expect(await hub.transmit('no such reader', Uint8Array.from([0]))).toMatchObject({
        ok: false,
        error: { kind: 'reader-not-found' },
      });
      await card.remove();
      await events.waitFor((e) => e.type === 'card-removed', 3000);
    });

    it('recovers by itself when pcscd restarts mid-run, with a card on the reader', async () => {
      const { card } = await tap({
        port: slot0.port,
        atr: MIFARE_CLASSIC_1K_ATR,
        respond: uidCardResponder('CAFEBABE'),
      });
      const mark = events.events.length;
      await pcscd.kill();
      await events.waitFor((e) => e.type === 'error' && e.kind === 'pcscd-lost', 3000, mark);
      await events.waitFor((e) => e.type === 'card-removed' && e.reader === slot0.reader, 3000, mark);
      await events.waitFor((e) => e.type === 'reader-removed' && e.reader === slot0.reader, 3000, mark);
      expect(hub.status()[0]!.state).toBe('recovering');
      await card.remove();

      // pcscd stays down for a while: the hub keeps retrying with backoff, then picks the new daemon up.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const restarted = await pcscd.start();
      expect(restarted.ok).toBe(true);
      await events.waitFor((e) => e.type === 'reader-added' && e.reader === slot0.reader, 8000, mark);
      await events.waitFor((e) => e.type === 'reader-added' && e.reader === slot1.reader, 8000, mark);
      const status = hub.status()[0]!;
      expect(status.state).toBe('running');
      expect(status.restarts).toBeGreaterThanOrEqual(1);
      expect(status.lastError?.kind).toMatch(/pcscd-lost|pcscd-unavailable/);

      const again = await tap({
        port: slot1.port,
        atr: MIFARE_CLASSIC_1K_ATR,
        respond: uidCardResponder('0BADF00D'),
      });
      expect(again.event).toMatchObject({
        reader: slot1.reader,
        uid: '0BADF00D',
        technology: 'mifare-classic-1k',
      });
      await again.card.remove();
      await events.waitFor((e) => e.type === 'card-removed' && e.reader === slot1.reader, 3000);
    });
  },
);
