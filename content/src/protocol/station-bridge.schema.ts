import { z } from 'zod';
import { PeripheralDeviceStatus, PeripheralEvent } from '../peripheral-event.schema';

// Station mode (issues 6 and 7): the service-station PC runs the kiosk app with `--mode station`. Its window shows
// the server's station console instead of the kiosk renderer, and the kiosk host bridges the PC's card and ID
// readers to that page over a loopback WebSocket. The page is on the server's origin and the bridge on
// 127.0.0.1, so the host admits only a connection whose Origin is the configured server and which carries the
// per-launch token. The token reaches the page in the URL fragment, which browsers never send to a server.

/** The fragment key under which the host hands the page its bridge (`#linli-station=<base64url JSON>`). */
export const STATION_BRIDGE_FRAGMENT_KEY = 'linli-station';
/** The host's loopback path of the bridge WebSocket. */
export const STATION_BRIDGE_PATH = '/station-bridge';

/** Where the page finds its bridge: the loopback WebSocket URL (token included) and the simulator, if any. */
export const StationBridgeTicket = z.object({
  /** `ws://127.0.0.1:<port>/station-bridge?t=<token>` */
  url: z
    .string()
    .max(500)
    .refine((value) => /^ws:\/\/(127\.0\.0\.1|localhost):\d+\//.test(value), {
      error: 'the bridge must be a loopback WebSocket',
    }),
  /** The kiosk's device name, shown in the console's reader indicator. */
  device: z.string().max(80).nullable(),
});
export type StationBridgeTicket = z.infer<typeof StationBridgeTicket>;

/** What the host sends: the readers as they are now (on connect and on every change), and each reader event. */
export const StationBridgeHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('readers'), readers: z.array(PeripheralDeviceStatus).max(32) }),
  z.object({ type: z.literal('event'), event: PeripheralEvent }),
]);
export type StationBridgeHostMessage = z.infer<typeof StationBridgeHostMessage>;

/**
 * What the page sends: a heartbeat, so the kiosk's renderer watchdog knows the console window is alive (the same
 * role as the kiosk renderer's heartbeat) and the fleet page shows when the clerk last touched it.
 */
export const StationBridgePageMessage = z.object({
  type: z.literal('heartbeat'),
  /** The console's path, e.g. `/station/cards/…` (no query: it may hold a search for a name). */
  screen: z.string().max(120),
  lastInteractionAt: z.iso.datetime().nullable(),
});
export type StationBridgePageMessage = z.infer<typeof StationBridgePageMessage>;

/** The URL fragment that hands a page its bridge. */
export function stationBridgeFragment(ticket: StationBridgeTicket): string {
  const json = JSON.stringify(StationBridgeTicket.parse(ticket));
  // base64url by hand: this module runs in browsers too, where Buffer does not exist.
  const bytes = new TextEncoder().encode(json);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${STATION_BRIDGE_FRAGMENT_KEY}=${base64url}`;
}

/** The ticket in a URL fragment (`location.hash`, with or without `#`), or null when there is none or it is bad. */
export function parseStationBridgeFragment(hash: string): StationBridgeTicket | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const encoded = params.get(STATION_BRIDGE_FRAGMENT_KEY);
  if (!encoded || encoded.length > 2000) return null;
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed = StationBridgeTicket.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
