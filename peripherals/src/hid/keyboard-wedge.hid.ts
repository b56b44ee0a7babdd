import { z } from 'zod';
import { normalizeCardUid, UID_FORMATS } from '../card/card-uid';
import type { DriverContext, PeripheralDriver } from '../driver';
import { ok } from '../result';
import { createHidKeyboardDecoder, type HidKeyboardDecoder } from './hid-keyboard.decoder';
import {
  createNodeHidTransport,
  type HidConnection,
  type HidDeviceInfo,
  type HidTransport,
} from './hid-transport';
import { createLineAssembler, type AssembledLine, type LineAssembler } from './keyboard-line.assembler';

// Keyboard-wedge card readers and barcode/QR scanners over HID. Devices are picked by vendor and product id
// from the kiosk configuration; each gets its own decoder and line assembler, so two devices typing at once
// cannot mix their characters. A card reader's line is normalised to the canonical UID; a scanner's line is a
// barcode. node-hid has no hot-plug events, so the device list is polled.
//
// Two facts of the platform an installer must know (README §HID): the user running the kiosk needs read access
// to /dev/hidraw* (a udev rule), and the kernel keeps typing the same keys into the focused window unless the
// device is detached from the keyboard driver.

const usbId = z.union([
  z.number().int().min(0).max(0xffff),
  z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'a USB id is a number or hex like 0x1a86')
    .transform((text) => Number.parseInt(text.replace(/^0x/i, ''), 16)),
]);

/** One configured keyboard-wedge device (from the kiosk configuration, hence validated). */
export const KeyboardWedgeDeviceConfig = z.object({
  vendorId: usbId,
  productId: usbId,
  role: z.enum(['card-reader', 'barcode-scanner']),
  /** Reader name in events (default "HID vvvv:pppp"). */
  name: z.string().min(1).optional(),
  /** How this card reader prints UIDs (see normalizeCardUid). */
  uidFormat: z.enum(UID_FORMATS).default('auto'),
  /** Report ID prefix, for devices with numbered reports. */
  reportId: z.number().int().min(0).max(255).optional(),
  /** Only this USB interface of a composite device. */
  interface: z.number().int().min(0).optional(),
  terminators: z
    .array(z.enum(['enter', 'tab']))
    .min(1)
    .default(['enter', 'tab']),
  maxGapMs: z.number().int().positive().default(150),
});
export type KeyboardWedgeDeviceConfig = z.infer<typeof KeyboardWedgeDeviceConfig>;
export type KeyboardWedgeDeviceInput = z.input<typeof KeyboardWedgeDeviceConfig>;

export interface KeyboardWedgeDriverOptions {
  id?: string;
  devices: KeyboardWedgeDeviceInput[];
  transport?: HidTransport;
  /** How often to look for plugged/unplugged devices (default 2000 ms). */
  pollMs?: number;
  /**
   * A keyboard wedge cannot tell when the card leaves; card-removed is sent this long after card-present
   * (default 800 ms) so that consumers see the same present/removed pairs as from a PC/SC reader.
   */
  cardHoldMs?: number;
  /** Monotonic milliseconds (default performance.now); tests replay recorded timings with their own. */
  now?: () => number;
}

interface OpenDevice {
  info: HidDeviceInfo;
  config: KeyboardWedgeDeviceConfig;
  reader: string;
  connection: HidConnection;
  decoder: HidKeyboardDecoder;
  assembler: LineAssembler;
  expiry: ReturnType<typeof setTimeout> | null;
  removal: ReturnType<typeof setTimeout> | null;
}

/** Creates the keyboard-wedge HID driver. */
export function createKeyboardWedgeDriver(options: KeyboardWedgeDriverOptions): PeripheralDriver {
  const configs = options.devices.map((device) => KeyboardWedgeDeviceConfig.parse(device));
  const transport = options.transport ?? createNodeHidTransport();
  const pollMs = options.pollMs ?? 2000;
  const cardHoldMs = options.cardHoldMs ?? 800;
  const now = options.now ?? (() => performance.now());
  const open = new Map<string, OpenDevice>();
  let context: DriverContext | null = null;
  let poller: ReturnType<typeof setInterval> | null = null;
  let scanning: Promise<void> = Promise.resolve();

  const matches = (info: HidDeviceInfo) =>
    configs.find(
      (config) =>
        config.vendorId === info.vendorId &&
        config.productId === info.productId &&
        (config.interface === undefined || config.interface === info.interface),
    );

  function readerName(config: KeyboardWedgeDeviceConfig): string {
    const hex = (n: number) => n.toString(16).padStart(4, '0');
    const base = config.name ?? `HID ${hex(config.vendorId)}:${hex(config.productId)}`;
    const taken = new Set([...open.values()].map((device) => device.reader));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n += 1) if (!taken.has(`${base} #${n}`)) return `${base} #${n}`;
  }

  function handleLines(device: OpenDevice, lines: AssembledLine[]): void {
    if (!context) return;
    for (const line of lines) {
      if (line.kind === 'dropped') {
        context.emit({
          type: 'error',
          reader: device.reader,
          kind: `hid-input-${line.reason}`,
          message: `discarded ${line.reason} input (${line.text.length} characters); tap or scan again`,
        });
        continue;
      }
      if (device.config.role === 'barcode-scanner') {
        context.emit({ type: 'barcode', reader: device.reader, text: line.text });
        continue;
      }
      const uid = normalizeCardUid(line.text, device.config.uidFormat);
      if (!uid.ok) {
        context.emit({
          type: 'error',
          reader: device.reader,
          kind: uid.error.kind,
          message: uid.error.message,
        });
        continue;
      }
      if (device.removal) {
        clearTimeout(device.removal);
        context.emit({ type: 'card-removed', reader: device.reader });
      }
      context.emit({
        type: 'card-present',
        reader: device.reader,
        uid: uid.value,
        atr: null,
        technology: 'unknown',
      });
      device.removal = setTimeout(() => {
        device.removal = null;
        context?.emit({ type: 'card-removed', reader: device.reader });
      }, cardHoldMs);
    }
  }

  function close(device: OpenDevice, announce: boolean): void {
    open.delete(device.info.path);
    if (device.expiry) clearTimeout(device.expiry);
    if (device.removal) {
      clearTimeout(device.removal);
      if (announce) context?.emit({ type: 'card-removed', reader: device.reader });
    }
    device.connection.close();
    if (announce) context?.emit({ type: 'reader-removed', reader: device.reader, driver: 'hid' });
  }

  async function scan(): Promise<void> {
    const listed = await transport.list();
    if (!context) return;
    if (!listed.ok) {
      context.fail(listed.error);
      return;
    }
    const present = new Set(listed.value.map((info) => info.path));
    for (const device of [...open.values()]) if (!present.has(device.info.path)) close(device, true);
    for (const info of listed.value) {
      const config = matches(info);
      if (!config || open.has(info.path)) continue;
      const connection = await transport.open(info.path);
      if (!context) {
        if (connection.ok) connection.value.close();
        return;
      }
      if (!connection.ok) {
        context.emit({
          type: 'error',
          reader: null,
          kind: connection.error.kind,
          message: connection.error.message,
        });
        continue;
      }
      const device: OpenDevice = {
        info,
        config,
        reader: readerName(config),
        connection: connection.value,
        decoder: createHidKeyboardDecoder({ reportId: config.reportId }),
        assembler: createLineAssembler({ terminators: config.terminators, maxGapMs: config.maxGapMs }),
        expiry: null,
        removal: null,
      };
      open.set(info.path, device);
      context.emit({ type: 'reader-added', reader: device.reader, driver: 'hid' });
      connection.value.onReport((report) => {
        if (open.get(info.path) !== device) return;
        const tokens = device.decoder.push(report);
        if (tokens.length === 0) return;
        handleLines(device, device.assembler.push(tokens, now()));
        // A burst that stops without its terminator is reported once the gap has passed.
        if (device.expiry) clearTimeout(device.expiry);
        device.expiry = setTimeout(
          () => handleLines(device, device.assembler.expire(now())),
          config.maxGapMs + 20,
        );
      });
      connection.value.onError((error) => {
        if (open.get(info.path) !== device) return;
        context?.emit({ type: 'error', reader: device.reader, kind: error.kind, message: error.message });
        close(device, true);
      });
    }
  }

  const scanSerially = () => {
    scanning = scanning.then(scan, scan);
    return scanning;
  };

  return {
    id: options.id ?? 'hid',
    kind: 'hid',
    async start(driverContext) {
      const listed = await transport.list();
      if (!listed.ok) return listed;
      context = driverContext;
      await scanSerially();
      poller = setInterval(() => void scanSerially(), pollMs);
      return ok(undefined);
    },
    async stop() {
      if (poller) clearInterval(poller);
      poller = null;
      await scanning.catch(() => {});
      for (const device of [...open.values()]) close(device, true);
      context = null;
    },
  };
}
