import {
  parseStationBridgeFragment,
  StationBridgeHostMessage,
  StationBridgeTicket,
  STATION_BRIDGE_FRAGMENT_KEY,
  type PeripheralDeviceStatus,
  type PeripheralEvent,
} from '@linli/content';

// The console's half of station mode (the host's half: kiosk/src/host/station-bridge.ts). When the station PC's
// kiosk app opens the console, the URL fragment carries the ticket to its loopback reader bridge. It is kept in
// sessionStorage (this window only, gone when it closes) so it survives the login redirect and every navigation,
// and removed from the address bar at once.

const STORAGE_KEY = 'linli.station-bridge';
// The kiosk's window watchdog reloads a window silent for 4 s; the kiosk renderer beats every second too.
const HEARTBEAT_MS = 1_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Moves a bridge ticket from the URL fragment into this window's sessionStorage. Call once, on start. */
export function captureStationTicket(): void {
  if (typeof window === 'undefined' || !location.hash.includes(STATION_BRIDGE_FRAGMENT_KEY)) return;
  const ticket = parseStationBridgeFragment(location.hash);
  if (ticket) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ticket));
  // Before SvelteKit's router starts: the token must not stay in the address bar or the history.
  history.replaceState(history.state, '', location.pathname + location.search);
}

function storedTicket(): StationBridgeTicket | null {
  try {
    const parsed = StationBridgeTicket.safeParse(JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** `off`: this window was not opened by a station kiosk (an office PC); the console works with typing alone. */
export type BridgeState = 'off' | 'connecting' | 'connected' | 'lost';

/** The connection to the station PC's readers, as reactive state for the console's reader indicator. */
export class ReaderBridge {
  state = $state<BridgeState>('off');
  readers = $state<PeripheralDeviceStatus[]>([]);
  device = $state<string | null>(null);

  #socket: WebSocket | null = null;
  #retryMs = RETRY_MIN_MS;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastInteractionMs: number | null = null;
  #stopped = false;
  #onEvent: (event: PeripheralEvent) => void;
  #touched = () => (this.#lastInteractionMs = Date.now());

  constructor(onEvent: (event: PeripheralEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** Connects when this window holds a ticket; reconnects with backoff while the kiosk host restarts. */
  start(): void {
    const ticket = storedTicket();
    if (!ticket) return;
    this.device = ticket.device;
    addEventListener('pointerdown', this.#touched, { capture: true });
    addEventListener('keydown', this.#touched, { capture: true });
    this.#connect(ticket.url);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    removeEventListener('pointerdown', this.#touched, { capture: true });
    removeEventListener('keydown', this.#touched, { capture: true });
    this.#socket?.close();
  }

  #connect(url: string): void {
    if (this.#stopped) return;
    if (this.state !== 'lost') this.state = 'connecting';
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.state = 'connected';
      this.#retryMs = RETRY_MIN_MS;
      this.#beat();
      this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    };
    socket.onmessage = (message) => {
      let json: unknown;
      try {
        json = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const parsed = StationBridgeHostMessage.safeParse(json);
      if (!parsed.success) return;
      if (parsed.data.type === 'readers') this.readers = parsed.data.readers;
      else this.#onEvent(parsed.data.event);
    };
    socket.onclose = () => {
      if (this.#heartbeat) clearInterval(this.#heartbeat);
      this.#heartbeat = null;
      if (this.#stopped) return;
      this.state = 'lost';
      this.readers = [];
      this.#timers.push(setTimeout(() => this.#connect(url), this.#retryMs));
      this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    };
  }

  #beat(): void {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#socket.send(
      JSON.stringify({
        type: 'heartbeat',
        screen: location.pathname.slice(0, 120),
        lastInteractionAt:
          this.#lastInteractionMs === null
            ? null
            : // eslint-disable-next-line svelte/prefer-svelte-reactivity -- formatted at once, never kept or watched
              new Date(this.#lastInteractionMs).toISOString(),
      }),
    );
  }
}

/** What a reader fills in: `data-reader="card-uid"` on a card number input, `id-number` / `id-name` for an ID. */
export type ReaderTarget = 'card-uid' | 'id-number' | 'id-name';

/**
 * Puts a read value into the page's field for it: the focused one when it takes this kind, else the first visible
 * empty one. Returns false when there is none, so the caller can do the page-independent thing instead (a card:
 * look it up). `data-reader-not` names a value the field must not take (the card page's own card, when the clerk
 * taps it again). Input events are dispatched so the page's own bindings see the value.
 */
export function fillReaderTarget(kind: ReaderTarget, value: string): boolean {
  const focused = document.activeElement;
  const candidates = [...document.querySelectorAll<HTMLInputElement>(`input[data-reader="${kind}"]`)].filter(
    (input) =>
      !input.disabled &&
      !input.readOnly &&
      input.getClientRects().length > 0 &&
      input.dataset.readerNot !== value,
  );
  const target =
    focused instanceof HTMLInputElement && candidates.includes(focused)
      ? focused
      : candidates.find((input) => input.value.trim() === '');
  if (!target) return false;
  target.value = value;
  target.dispatchEvent(new Event('input', { bubbles: true }));
  target.dispatchEvent(new Event('change', { bubbles: true }));
  target.focus();
  return true;
}

/** The ID number and name of a document event (Chinese ID card or MRZ), as far as it has them. */
export function documentIdentity(event: Extract<PeripheralEvent, { type: 'document' }>): {
  number: string | null;
  name: string | null;
} {
  const field = (...names: string[]) =>
    names.map((name) => event.fields[name]?.value.trim()).find((value) => value) ?? null;
  return {
    number: field('idNumber', 'documentNumber', 'number'),
    name: field('name', 'fullName'),
  };
}
