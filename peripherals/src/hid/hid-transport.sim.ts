import { fail, ok } from '../result';
import { encodeKeyboardReports } from './hid-keyboard.decoder';
import type { HidConnection, HidDeviceInfo, HidTransport, PeripheralTransportError } from './hid-transport';

// HID devices in software, behind the same HidTransport the node-hid transport implements: tests replay
// recorded report streams through it, and the simulators type card UIDs and barcodes through it, so the real
// decoder, assembler and driver run unchanged.

/** A simulated HID bus. */
export interface SimHidTransport extends HidTransport {
  /** Plugs a device in; returns its path. */
  plug(device: Omit<HidDeviceInfo, 'path'> & { path?: string }): string;
  /** Unplugs a device: an open connection gets `device-lost`. */
  unplug(path: string): void;
  /** Delivers one raw input report (recorded, truncated, garbage — whatever the test needs). */
  send(path: string, report: Uint8Array): void;
  /** Types text as key press/release reports, ending with Enter or Tab. */
  type(path: string, text: string, terminator?: 'enter' | 'tab' | 'none'): void;
  /** Makes list() fail until called with false (the OS losing its device list). */
  breakListing(broken: boolean): void;
  /** Paths of the devices currently open by a driver. */
  openPaths(): string[];
}

/** Creates an empty simulated HID bus. */
export function createSimHidTransport(): SimHidTransport {
  const devices = new Map<string, HidDeviceInfo>();
  const connections = new Map<
    string,
    { report: ((report: Uint8Array) => void)[]; error: ((error: PeripheralTransportError) => void)[] }
  >();
  let listingBroken = false;
  let counter = 0;

  return {
    async list() {
      if (listingBroken) return fail('hid-list-failed', 'the simulated HID bus is broken');
      return ok([...devices.values()]);
    },
    async open(path) {
      if (!devices.has(path)) return fail('hid-open-failed', `no simulated HID device at ${path}`);
      const listeners = {
        report: [] as ((report: Uint8Array) => void)[],
        error: [] as ((error: PeripheralTransportError) => void)[],
      };
      connections.set(path, listeners);
      const connection: HidConnection = {
        onReport: (listener) => listeners.report.push(listener),
        onError: (listener) => listeners.error.push(listener),
        close: () => {
          if (connections.get(path) === listeners) connections.delete(path);
        },
      };
      return ok(connection);
    },
    plug(device) {
      counter += 1;
      const path = device.path ?? `/dev/hidraw-sim${counter}`;
      devices.set(path, { ...device, path });
      return path;
    },
    unplug(path) {
      devices.delete(path);
      const listeners = connections.get(path);
      connections.delete(path);
      for (const listener of listeners?.error ?? [])
        listener({ kind: 'device-lost', message: `${path} was unplugged` });
    },
    send(path, report) {
      for (const listener of connections.get(path)?.report ?? []) listener(report);
    },
    type(path, text, terminator = 'enter') {
      for (const report of encodeKeyboardReports(text, terminator)) this.send(path, report);
    },
    breakListing(broken) {
      listingBroken = broken;
    },
    openPaths() {
      return [...connections.keys()];
    },
  };
}
