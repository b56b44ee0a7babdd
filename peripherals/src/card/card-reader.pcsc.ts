import { createRequire } from 'node:module';
import type { CardTechnology } from '@linli/content';
import type { DriverContext, PeripheralDriver } from '../driver';
import { fail, messageOf, ok, type Result } from '../result';
import { checkResponse, GET_UID_APDU, type ApduErrorKind, type ResponseApdu } from './apdu';
import { atrTechnology, parseAtr, toHex } from './atr.parser';

// PC/SC card readers through pcscd, with the `pcsclite` addon (an optional dependency: a kiosk without a
// PC/SC reader needs neither the addon nor pcscd). pcscd reports reader hot-plug and card insertion; for each
// card we connect in shared mode, ask the reader for the UID (FF CA 00 00 00), disconnect leaving the card
// powered, and emit one card-present. When pcscd goes away every handle dies with "RPC transport error":
// the driver then fails as a whole and the hub restarts it, which is also how a restarted pcscd is picked up.

/** The part of the pcsclite API this driver uses (its own typings are loose and CommonJS). */
interface PcscReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: unknown) => void): this;
  removeAllListeners(event?: string): this;
  connect(
    options: { share_mode: number; protocol: number },
    callback: (error: unknown, protocol: number) => void,
  ): void;
  disconnect(disposition: number, callback: (error: unknown) => void): void;
  transmit(
    data: Buffer,
    responseLength: number,
    protocol: number,
    callback: (error: unknown, data: Buffer) => void,
  ): void;
  close(): void;
}
interface PcscLite {
  on(event: 'reader', listener: (reader: PcscReader) => void): this;
  on(event: 'error', listener: (error: unknown) => void): this;
  close(): void;
}
type PcscFactory = () => PcscLite;

export interface PcscDriverOptions {
  /** Driver id in the hub (default `pcsc`). */
  id?: string;
  /** Time allowed for connect, each APDU and disconnect (default 2000 ms). */
  timeoutMs?: number;
  /** Which readers to use (default: all). */
  readerFilter?: (name: string) => boolean;
}

/** The largest response APDU a short Le allows: 256 data bytes and the status word. */
const MAX_RESPONSE = 258;

/** Loads the pcsclite addon, or says why it cannot be used here. */
function loadPcsclite(): Result<PcscFactory, 'driver-unavailable'> {
  try {
    const require = createRequire(import.meta.url);
    return ok(require('pcsclite') as PcscFactory);
  } catch (error) {
    return fail(
      'driver-unavailable',
      `the pcsclite addon cannot be loaded (${messageOf(error)}); install libpcsclite-dev and rebuild`,
    );
  }
}

/** Creates the PC/SC card reader driver. */
export function createPcscCardReaderDriver(options: PcscDriverOptions = {}): PeripheralDriver {
  let session: PcscSession | null = null;
  return {
    id: options.id ?? 'pcsc',
    kind: 'pcsc',
    async start(context) {
      const factory = loadPcsclite();
      if (!factory.ok) return factory;
      let pcsc: PcscLite;
      try {
        pcsc = factory.value();
      } catch (error) {
        // SCardEstablishContext throws synchronously while pcscd is not running.
        return fail('pcscd-unavailable', messageOf(error));
      }
      session = new PcscSession(pcsc, context, options);
      return ok(undefined);
    },
    async stop() {
      const current = session;
      session = null;
      await current?.close();
    },
    async transmit(reader, apdu, transmitOptions) {
      if (!session) return fail('reader-not-found', 'the PC/SC driver is not running');
      return session.transmit(reader, apdu, transmitOptions?.timeoutMs);
    },
  };
}

interface ReaderEntry {
  reader: PcscReader;
  /** pcscd's event counter (high 16 bits of the state) of the card we last handled, or null when empty. */
  cardCounter: number | null;
  /** Whether a card-present went out for the current card (so a card-removed must follow). */
  announced: boolean;
  /** Serialises everything done with one reader: status changes and APDUs arrive concurrently. */
  queue: Promise<void>;
  /** pcsclite calls that have not called back yet (some outlive their timeout). */
  inFlight: Set<Promise<void>>;
}

type ExchangeErrorKind = ApduErrorKind | 'connect-failed' | 'reader-busy';

class PcscSession {
  private readonly readers = new Map<string, ReaderEntry>();
  private closed = false;
  private failed = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly pcsc: PcscLite,
    private readonly context: DriverContext,
    private readonly options: PcscDriverOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    // pcsclite emits 'error' on close() too; without a listener Node would throw it.
    pcsc.on('error', (error) => {
      if (this.closed || this.failed) return;
      this.failed = true;
      context.fail({ kind: 'pcscd-lost', message: messageOf(error) });
    });
    pcsc.on('reader', (reader) => this.addReader(reader));
  }

  private addReader(reader: PcscReader): void {
    reader.on('error', (error) => {
      // When pcscd dies each reader reports it a moment before the context does; wait briefly so that the
      // driver failure reports it once instead of every reader echoing it.
      setTimeout(() => {
        if (this.closed || this.failed) return;
        this.context.emit({
          type: 'error',
          reader: reader.name,
          kind: 'reader-error',
          message: messageOf(error),
        });
      }, 200);
    });
    if (this.closed || (this.options.readerFilter && !this.options.readerFilter(reader.name))) {
      reader.close();
      return;
    }
    const entry: ReaderEntry = {
      reader,
      cardCounter: null,
      announced: false,
      queue: Promise.resolve(),
      inFlight: new Set(),
    };
    this.readers.set(reader.name, entry);
    this.context.emit({ type: 'reader-added', reader: reader.name, driver: 'pcsc' });
    reader.on('status', (status) =>
      this.enqueue(entry, () => this.onStatus(entry, status.state, status.atr)),
    );
    reader.on('end', () => {
      this.enqueue(entry, async () => {
        this.forgetCard(entry);
        if (this.readers.get(reader.name) === entry) {
          this.readers.delete(reader.name);
          if (!this.closed)
            this.context.emit({ type: 'reader-removed', reader: reader.name, driver: 'pcsc' });
        }
      });
    });
  }

  private enqueue(entry: ReaderEntry, task: () => Promise<void>): Promise<void> {
    entry.queue = entry.queue.then(task).catch((error) => {
      if (!this.closed)
        this.context.emit({
          type: 'error',
          reader: entry.reader.name,
          kind: 'reader-error',
          message: messageOf(error),
        });
    });
    return entry.queue;
  }

  private async onStatus(entry: ReaderEntry, state: number, atr: Buffer | undefined): Promise<void> {
    if (this.closed) return;
    const { reader } = entry;
    const present = (state & reader.SCARD_STATE_PRESENT) !== 0;
    const mute = (state & reader.SCARD_STATE_MUTE) !== 0;
    const counter = state >>> 16;
    if (!present) {
      this.forgetCard(entry);
      return;
    }
    if (entry.cardCounter === counter) return; // the same card: only INUSE or similar flags changed
    // pcscd counts insertions and removals; a new count while present means the card was swapped unseen.
    this.forgetCard(entry);
    entry.cardCounter = counter;
    if (mute) {
      this.context.emit({
        type: 'error',
        reader: reader.name,
        kind: 'card-mute',
        message: 'the card does not answer reset (ATR); put it on the reader again',
      });
      return;
    }
    const atrBytes = atr ? Uint8Array.from(atr) : new Uint8Array(0);
    const parsed = parseAtr(atrBytes);
    const technology: CardTechnology = parsed.ok ? atrTechnology(parsed.value) : 'other';
    const uid = await this.readUid(entry);
    if (this.closed || entry.cardCounter !== counter) return;
    if (!uid.ok) {
      this.context.emit({
        type: 'error',
        reader: reader.name,
        kind: uid.error.kind,
        message: `cannot read the card UID: ${uid.error.message}`,
      });
      return;
    }
    entry.announced = true;
    this.context.emit({
      type: 'card-present',
      reader: reader.name,
      uid: uid.value,
      atr: atrBytes.length > 0 ? toHex(atrBytes) : null,
      technology,
    });
  }

  private forgetCard(entry: ReaderEntry): void {
    if (entry.announced && !this.closed)
      this.context.emit({ type: 'card-removed', reader: entry.reader.name });
    entry.announced = false;
    entry.cardCounter = null;
  }

  /** GET DATA UID; 4, 7 or 10 bytes (ISO 14443-3), 8 for ISO 15693 and FeliCa. */
  private async readUid(
    entry: ReaderEntry,
  ): Promise<Result<string, ExchangeErrorKind | 'uid-invalid-length'>> {
    const response = await this.exchange(entry, GET_UID_APDU, this.timeoutMs);
    if (!response.ok) return response;
    const length = response.value.data.length;
    if (![4, 7, 8, 10].includes(length)) {
      return fail('uid-invalid-length', `the reader returned a ${length}-byte UID`);
    }
    return ok(toHex(response.value.data));
  }

  transmit(
    readerName: string,
    apdu: Uint8Array,
    timeoutMs = this.timeoutMs,
  ): Promise<Result<ResponseApdu, ExchangeErrorKind | 'reader-not-found'>> {
    const entry = this.readers.get(readerName);
    if (!entry) return Promise.resolve(fail('reader-not-found', `no PC/SC reader named "${readerName}"`));
    return new Promise((resolve) => {
      void this.enqueue(entry, async () => {
        let result: Result<ResponseApdu, ExchangeErrorKind | 'reader-not-found'> = fail(
          'transmit-failed',
          'the exchange was interrupted',
        );
        try {
          result = await this.exchange(entry, apdu, timeoutMs);
        } finally {
          resolve(result);
        }
      });
    });
  }

  /**
   * connect (shared) → transmit → disconnect (leaving the card powered), each step bounded by a timeout.
   * A native call that timed out is still running inside pcscd (a card that never answers blocks it until the
   * card leaves); issuing more calls on top of it piles up blocked threads, so the next exchange first waits
   * for the stragglers and reports `reader-busy` if they do not finish.
   */
  private async exchange(
    entry: ReaderEntry,
    apdu: Uint8Array,
    timeoutMs: number,
  ): Promise<Result<ResponseApdu, ExchangeErrorKind>> {
    const { reader } = entry;
    if (entry.inFlight.size > 0) {
      await Promise.race([Promise.all(entry.inFlight), delay(timeoutMs)]);
      if (entry.inFlight.size > 0)
        return fail('reader-busy', 'the reader is still waiting for a card that stopped answering');
    }
    if (reader.connected) {
      const stale = await this.native<void>(
        entry,
        (done) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => done()),
        timeoutMs,
      );
      if (stale !== undefined)
        return fail('reader-busy', 'the reader did not release the previous connection');
    }
    const protocol = await this.native<Result<number, 'connect-failed'>>(
      entry,
      (done) =>
        reader.connect(
          {
            share_mode: reader.SCARD_SHARE_SHARED,
            protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1,
          },
          (error, value) =>
            // pcsclite calls back without a protocol when it believes it is connected already.
            done(
              error || typeof value !== 'number'
                ? fail('connect-failed', error ? messageOf(error) : 'no protocol negotiated')
                : ok(value),
            ),
        ),
      timeoutMs,
    );
    if (protocol === 'timeout')
      return fail('timeout', `connecting to the card took longer than ${timeoutMs} ms`);
    if ('threw' in protocol) return fail('connect-failed', protocol.threw);
    if (!protocol.ok) return protocol;
    const response = await this.native<Result<Uint8Array, 'transmit-failed'>>(
      entry,
      (done) =>
        reader.transmit(Buffer.from(apdu), MAX_RESPONSE, protocol.value, (error, data) =>
          done(error ? fail('transmit-failed', messageOf(error)) : ok(Uint8Array.from(data))),
        ),
      timeoutMs,
    );
    // Leave the card powered for the next exchange; the next one waits for this disconnect if need be.
    void this.native<void>(
      entry,
      (done) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => done()),
      timeoutMs,
    );
    if (response === 'timeout') return fail('timeout', `the card did not answer within ${timeoutMs} ms`);
    if ('threw' in response) return fail('transmit-failed', response.threw);
    if (!response.ok) return response;
    return checkResponse(response.value);
  }

  /** Runs one pcsclite call; resolves with its value or 'timeout', and tracks it until it really returns. */
  private native<T>(
    entry: ReaderEntry,
    operation: (done: (value: T) => void) => void,
    timeoutMs: number,
  ): Promise<T | 'timeout' | { threw: string }> {
    let finish!: () => void;
    const returned = new Promise<void>((resolve) => (finish = resolve));
    entry.inFlight.add(returned);
    void returned.then(() => entry.inFlight.delete(returned));
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        resolve('timeout');
      }, timeoutMs);
      const done = (value: T) => {
        finish();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      try {
        operation(done);
      } catch (error) {
        // pcsclite throws synchronously on a handle that pcscd already dropped.
        finish();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ threw: messageOf(error) });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.readers.values()) {
      entry.reader.removeAllListeners('status');
      if (entry.announced) this.context.emit({ type: 'card-removed', reader: entry.reader.name });
      this.context.emit({ type: 'reader-removed', reader: entry.reader.name, driver: 'pcsc' });
      try {
        entry.reader.close();
      } catch {
        // Already closed by pcsclite when pcscd went away.
      }
    }
    this.readers.clear();
    try {
      this.pcsc.close();
    } catch {
      // Closing a context whose daemon is gone throws; there is nothing left to release.
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
