import type { PeripheralEvent } from '@linli/content';
import type { ResponseApdu } from './card/apdu';
import type { PeripheralError, Result } from './result';

// The seam between the PeripheralHub and the drivers. A driver owns one kind of hardware (pcscd, HID devices,
// a simulator…), turns what happens there into events, and tells the hub when it has failed as a whole; the
// hub then stops it and starts it again with backoff, while every other driver keeps running.

/** An event as a driver emits it: the hub stamps `at`. */
export type DriverEvent = PeripheralEvent extends infer E
  ? E extends PeripheralEvent
    ? Omit<E, 'at'>
    : never
  : never;

/** What the hub hands a driver when it starts it. */
export interface DriverContext {
  emit(event: DriverEvent): void;
  /**
   * The driver as a whole has stopped working (pcscd died, the device list cannot be read…). The hub stops the
   * driver and starts it again after a backoff. Call at most once per start.
   */
  fail(error: PeripheralError): void;
}

/**
 * Kinds of start failure. `driver-unavailable` means the driver cannot run on this machine at all (native module
 * missing): the hub reports it and does not retry. Any other kind is retried with backoff.
 */
export type DriverStartErrorKind = 'driver-unavailable' | (string & {});

/** One driver. */
export interface PeripheralDriver {
  /** Stable id, unique in one hub (e.g. `pcsc`, `hid`, `sim-card`). */
  readonly id: string;
  /** What kind of driver this is, for status pages. */
  readonly kind: 'pcsc' | 'hid' | 'simulator' | 'ocr';
  start(context: DriverContext): Promise<Result<void, DriverStartErrorKind>>;
  /** Releases everything; after it resolves the driver emits nothing until started again. */
  stop(): Promise<void>;
  /** Sends an APDU to the card on one of this driver's readers, where the hardware allows it. */
  transmit?(
    reader: string,
    apdu: Uint8Array,
    options?: { timeoutMs?: number },
  ): Promise<Result<ResponseApdu>>;
}
