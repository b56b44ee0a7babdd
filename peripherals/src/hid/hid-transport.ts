import { createRequire } from 'node:module';
import { fail, messageOf, ok, type Result } from '../result';

// The seam between the HID driver and the operating system. The real transport is node-hid (hidraw on Linux);
// our build machines have no /dev/hidraw, /dev/uhid or uinput, so no virtual HID device can exist there and the
// driver is tested through this interface with recorded report streams (and the simulator types through it).

/** One HID interface as the OS lists it. */
export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  interface?: number;
  usagePage?: number;
  usage?: number;
}

/** An open device: input reports arrive through onReport until it errors (unplugged) or is closed. */
export interface HidConnection {
  onReport(listener: (report: Uint8Array) => void): void;
  onError(listener: (error: PeripheralTransportError) => void): void;
  close(): void;
}

export interface PeripheralTransportError {
  kind: 'device-lost' | 'device-error';
  message: string;
}

/** Lists and opens HID devices. */
export interface HidTransport {
  list(): Promise<Result<HidDeviceInfo[], 'hid-list-failed' | 'driver-unavailable'>>;
  open(path: string): Promise<Result<HidConnection, 'hid-open-failed' | 'driver-unavailable'>>;
}

interface NodeHidDevice {
  on(event: 'data', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  close(): Promise<void>;
}
interface NodeHid {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<NodeHidDevice> };
}

/** node-hid as a transport; fails with `driver-unavailable` where the addon or libusb is missing. */
export function createNodeHidTransport(): HidTransport {
  let loaded: Result<NodeHid, 'driver-unavailable'> | null = null;
  const load = () => {
    if (loaded) return loaded;
    try {
      const require = createRequire(import.meta.url);
      loaded = ok(require('node-hid') as NodeHid);
    } catch (error) {
      loaded = fail(
        'driver-unavailable',
        `node-hid cannot be loaded (${messageOf(error)}); install libusb-1.0-0`,
      );
    }
    return loaded;
  };
  return {
    async list() {
      const hid = load();
      if (!hid.ok) return hid;
      try {
        const devices = await hid.value.devicesAsync();
        return ok(devices.filter((device) => typeof device.path === 'string'));
      } catch (error) {
        // A missing libusb shows up here (ERR_DLOPEN_FAILED), not at require time.
        return fail('hid-list-failed', messageOf(error));
      }
    },
    async open(path) {
      const hid = load();
      if (!hid.ok) return hid;
      try {
        const device = await hid.value.HIDAsync.open(path);
        let closed = false;
        return ok({
          onReport: (listener) => device.on('data', (data) => listener(Uint8Array.from(data))),
          onError: (listener) =>
            device.on('error', (error) => {
              if (!closed) listener({ kind: 'device-lost', message: messageOf(error) });
            }),
          close: () => {
            closed = true;
            device.close().catch(() => {
              // Closing an unplugged device fails; it is gone either way.
            });
          },
        });
      } catch (error) {
        return fail(
          'hid-open-failed',
          `cannot open ${path}: ${messageOf(error)} (permissions of /dev/hidraw*?)`,
        );
      }
    },
  };
}
