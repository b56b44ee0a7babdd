import net from 'node:net';

// A smart card in software for the vpcd virtual reader (vsmartcard): pcscd loads libifdvpcd.so, which listens on
// TCP (40000 for reader "… 00 00", 40001 for "… 00 01"); a card is "inserted" when a program connects and
// "removed" when it disconnects. The wire protocol is a 2-byte big-endian length and a payload; a 1-byte
// payload is a control code (0 power off, 1 power on, 2 reset, 4 send ATR), anything longer is a command APDU
// to answer with a response APDU. Debian's Python vicc crashes on GET DATA, hence this one.

const CONTROL_POWER_OFF = 0;
const CONTROL_POWER_ON = 1;
const CONTROL_RESET = 2;
const CONTROL_GET_ATR = 4;

/** Answers one command APDU; null sends nothing back (the reader then times out), a Uint8Array is sent as is. */
export type ApduResponder = (apdu: Uint8Array) => Uint8Array | null;

export interface VirtualCardOptions {
  /** vpcd port: 40000 + slot (default 40000). */
  port?: number;
  host?: string;
  atr: Uint8Array;
  respond: ApduResponder;
}

/** A card sitting in the virtual reader. */
export interface VirtualCard {
  /** When (performance.now()) the TCP connection was made: the moment of "insertion". */
  readonly connectedAt: number;
  /** Resolves with the time the reader first talked to the card: when pcscd noticed it. */
  readonly detected: Promise<number>;
  /** The command APDUs received so far, as uppercase hex. */
  readonly received: string[];
  /** Takes the card out of the reader. */
  remove(): Promise<void>;
}

/** Puts a virtual card into the vpcd reader; resolves once the TCP connection stands. */
export function insertVirtualCard(options: VirtualCardOptions): Promise<VirtualCard> {
  const { port = 40000, host = '127.0.0.1', atr, respond } = options;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const received: string[] = [];
    let buffer = Buffer.alloc(0);
    let markDetected: (at: number) => void = () => {};
    const detected = new Promise<number>((done) => (markDetected = done));
    let settled = false;
    const send = (payload: Uint8Array) => {
      const header = Buffer.alloc(2);
      header.writeUInt16BE(payload.length);
      socket.write(Buffer.concat([header, payload]));
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      // TCP may split or merge frames: keep a buffer and take whole frames only.
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < 2 + length) break;
        const payload = buffer.subarray(2, 2 + length);
        buffer = buffer.subarray(2 + length);
        markDetected(performance.now());
        if (length === 1) {
          const code = payload[0];
          if (code === CONTROL_GET_ATR) send(atr);
          // Power on/off and reset need no answer from a card without state.
          else if (code !== CONTROL_POWER_ON && code !== CONTROL_POWER_OFF && code !== CONTROL_RESET)
            continue;
        } else {
          received.push(payload.toString('hex').toUpperCase());
          const response = respond(Uint8Array.from(payload));
          if (response) send(response);
        }
      }
    });
    socket.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    socket.on('connect', () => {
      settled = true;
      const connectedAt = performance.now();
      resolve({
        connectedAt,
        detected,
        received,
        remove: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.destroy();
          }),
      });
    });
  });
}

/** A contactless storage card as a PC/SC reader presents it: answers GET DATA (FF CA 00 00 00) with its UID. */
export function uidCardResponder(uidHex: string): ApduResponder {
  const uid = Buffer.from(uidHex, 'hex');
  return (apdu) => {
    const hex = Buffer.from(apdu).toString('hex').toUpperCase();
    if (hex === 'FFCA000000') return Uint8Array.from([...uid, 0x90, 0x00]);
    return Uint8Array.from([0x6d, 0x00]);
  };
}

/** ATR of a MIFARE Classic 1K behind a PC/SC reader (PC/SC Part 3 storage-card form). */
export const MIFARE_CLASSIC_1K_ATR = Uint8Array.from(
  Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex'),
);
/** ATR of a MIFARE DESFire EV1 behind a PC/SC reader (ISO 14443-4 form with the ATS historical byte 80). */
export const DESFIRE_ATR = Uint8Array.from(Buffer.from('3B8180018080', 'hex'));
