import type { CardTechnology } from '@linli/content';
import type { DriverContext, PeripheralDriver } from '../driver';
import { fail, ok, type Result } from '../result';
import { checkResponse, type ResponseApdu } from './apdu';
import { atrTechnology, parseAtr } from './atr.parser';
import { normalizeCardUid, type UidErrorKind, type UidFormat } from './card-uid';
import { MIFARE_CLASSIC_1K_ATR, type ApduResponder, uidCardResponder } from './virtual-card.vpcd';

// A PC/SC card reader in software, with the driver interface of card-reader.pcsc.ts: tests and the kiosk dev
// panel tap cards by UID and get exactly the events a real reader gives (reader-added, card-present with a
// canonical UID and the ATR's technology, card-removed). It can also crash on request, to exercise the hub.

export interface SimCardTap {
  /** Reader to tap on (default: the first). */
  reader?: string;
  /** ATR as hex (default: MIFARE Classic 1K); the technology is derived from it like on a real reader. */
  atr?: string;
  /** Answers APDUs sent with transmit() (default: GET DATA gives the UID). */
  respond?: ApduResponder;
  /** How the UID is written (default `hex`, the canonical form; a dev panel may offer the others). */
  format?: UidFormat;
}

/** The simulated reader driver plus the handles a test or dev panel pulls. */
export interface SimCardReaderDriver extends PeripheralDriver {
  /** Puts a card on a reader (removing the one there). The UID is hex unless `tap.format` says otherwise. */
  tapCard(
    uid: string,
    tap?: SimCardTap,
  ): Result<
    { reader: string; uid: string; technology: CardTechnology },
    UidErrorKind | 'reader-not-found' | 'not-running'
  >;
  /** Takes the card off a reader (default: every reader). */
  removeCard(reader?: string): void;
  /** Plugs in another reader. */
  plugReader(name: string): void;
  /** Unplugs a reader (its card goes with it). */
  unplugReader(name: string): void;
  /** Makes the driver fail as a whole, as pcscd dying does. */
  crash(message?: string): void;
  /** Reader names currently plugged in. */
  readers(): string[];
}

export interface SimCardReaderOptions {
  id?: string;
  /** Readers plugged in at start (default one: "Linli Sim Reader"). */
  readers?: string[];
}

/** Creates a simulated PC/SC card reader driver. */
export function createSimCardReaderDriver(options: SimCardReaderOptions = {}): SimCardReaderDriver {
  const plugged = new Set(options.readers ?? ['Linli Sim Reader']);
  const cards = new Map<string, { uid: string; respond: ApduResponder }>();
  let context: DriverContext | null = null;

  const removeFrom = (reader: string) => {
    if (cards.delete(reader)) context?.emit({ type: 'card-removed', reader });
  };

  return {
    id: options.id ?? 'sim-card',
    kind: 'simulator',
    async start(driverContext) {
      context = driverContext;
      for (const reader of plugged) context.emit({ type: 'reader-added', reader, driver: 'simulator' });
      return ok(undefined);
    },
    async stop() {
      for (const reader of plugged) {
        removeFrom(reader);
        context?.emit({ type: 'reader-removed', reader, driver: 'simulator' });
      }
      cards.clear();
      context = null;
    },
    async transmit(reader, apdu) {
      const card = cards.get(reader);
      if (!plugged.has(reader)) return fail('reader-not-found', `no simulated reader named "${reader}"`);
      if (!card) return fail('no-card', `there is no card on "${reader}"`);
      const response = card.respond(apdu);
      if (!response) return fail('timeout', 'the simulated card did not answer');
      return checkResponse(response) as Result<ResponseApdu>;
    },
    tapCard(rawUid, tap = {}) {
      if (!context) return fail('not-running', 'the simulated reader driver is not started');
      const reader = tap.reader ?? [...plugged][0];
      if (!reader || !plugged.has(reader))
        return fail('reader-not-found', `no simulated reader named "${tap.reader ?? ''}"`);
      const uid = normalizeCardUid(rawUid, tap.format ?? 'hex');
      if (!uid.ok) return uid;
      const atrHex = (tap.atr ?? Buffer.from(MIFARE_CLASSIC_1K_ATR).toString('hex')).toUpperCase();
      const parsed = parseAtr(Uint8Array.from(Buffer.from(atrHex, 'hex')));
      const technology: CardTechnology = parsed.ok ? atrTechnology(parsed.value) : 'other';
      removeFrom(reader);
      cards.set(reader, {
        uid: uid.value,
        respond: tap.respond ?? uidCardResponder(uid.value.replace(/\?/g, '0')),
      });
      context.emit({ type: 'card-present', reader, uid: uid.value, atr: atrHex, technology });
      return ok({ reader, uid: uid.value, technology });
    },
    removeCard(reader) {
      for (const name of reader ? [reader] : [...cards.keys()]) removeFrom(name);
    },
    plugReader(name) {
      if (plugged.has(name)) return;
      plugged.add(name);
      context?.emit({ type: 'reader-added', reader: name, driver: 'simulator' });
    },
    unplugReader(name) {
      if (!plugged.delete(name)) return;
      removeFrom(name);
      context?.emit({ type: 'reader-removed', reader: name, driver: 'simulator' });
    },
    crash(message = 'simulated driver crash') {
      context?.fail({ kind: 'simulated-crash', message });
    },
    readers() {
      return [...plugged];
    },
  };
}
