import type { PeripheralEvent } from '@linli/content';
import type { KioskSession } from '../shared/kiosk-api';

/** Where peripheral events come from: the peripherals hub in production, a simulator in tests and demos. */
export interface PeripheralEventSource {
  onEvent(listener: (event: PeripheralEvent) => void): () => void;
}

type CardEvent = Extract<PeripheralEvent, { type: 'card-present' }>;
type DocumentEvent = Extract<PeripheralEvent, { type: 'document' }>;

/** `110105********002X`: the first six and last four characters stay (DESIGN.md §Data), shorter values less. */
export function maskNumber(value: string): string {
  const chars = [...value];
  if (chars.length >= 12) return chars.map((c, i) => (i < 6 || i >= chars.length - 4 ? c : '*')).join('');
  return chars
    .map((c, i) => (i >= chars.length - Math.min(4, Math.floor(chars.length / 3)) ? c : '*'))
    .join('');
}

/** `张**`, `W*** L**`: the first letter of each name part stays. */
export function maskName(value: string): string {
  return value
    .trim()
    .split(/\s+/)
    .map((part) => [...part].map((c, i) => (i === 0 ? c : '*')).join(''))
    .join(' ');
}

function documentName(fields: DocumentEvent['fields']): string | null {
  const name = fields.name?.value;
  if (name) return name;
  const parts = [fields.surname?.value, fields.givenNames?.value].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}

function documentNumber(fields: DocumentEvent['fields']): string | null {
  return fields.idNumber?.value ?? fields.documentNumber?.value ?? fields.number?.value ?? null;
}

/**
 * The resident's session in the host: what the card reader and the document scanner delivered since the last
 * reset. It is held in memory only — never written to the cache — and `reset()` forgets all of it, so the next
 * person at the kiosk finds nothing of the last one (issue 5: "session reset clears everything personal").
 */
export class SessionService {
  private sequence = 0;
  private card: CardEvent | null = null;
  private document: DocumentEvent | null = null;
  private barcode: string | null = null;
  private speaking = false;
  private readonly listeners = new Set<(session: KioskSession) => void>();
  private readonly resetHooks = new Set<() => void>();
  private stopSource: (() => void) | null = null;

  /** Follows a peripheral event source until `stop()`. */
  attach(source: PeripheralEventSource): void {
    this.stopSource?.();
    this.stopSource = source.onEvent((event) => this.onPeripheralEvent(event));
  }

  stop(): void {
    this.stopSource?.();
    this.stopSource = null;
  }

  /** The session as the renderer sees it: masked. */
  view(): KioskSession {
    const name = this.document ? documentName(this.document.fields) : null;
    const number = this.document ? documentNumber(this.document.fields) : null;
    return {
      sequence: this.sequence,
      card: this.card
        ? {
            reader: this.card.reader,
            maskedUid: maskNumber(this.card.uid),
            technology: this.card.technology,
          }
        : null,
      document: this.document
        ? {
            kind: this.document.kind,
            maskedName: name ? maskName(name) : null,
            maskedNumber: number ? maskNumber(number) : null,
            valid: this.document.valid,
          }
        : null,
      barcode: this.barcode === null ? null : { maskedText: maskNumber(this.barcode) },
      speaking: this.speaking,
    };
  }

  /**
   * The tapped card's full UID and the session it belongs to, for the payment service only (it never goes to the
   * renderer, which sees the masked form).
   */
  currentCard(): { uid: string; sequence: number } | null {
    return this.card ? { uid: this.card.uid, sequence: this.sequence } : null;
  }

  /**
   * The scanned document with its unmasked fields, for the visitor service only (it checks and registers the
   * identity; the renderer sees the masked form).
   */
  currentDocument(): DocumentEvent | null {
    return this.document;
  }

  /** True while anything about a resident is held (tests assert it is false after a reset). */
  holdsPersonalData(): boolean {
    return this.card !== null || this.document !== null || this.barcode !== null;
  }

  /** Forgets everything about the resident and runs the reset hooks (speech stops, its files go). */
  reset(): KioskSession {
    this.card = null;
    this.document = null;
    this.barcode = null;
    this.sequence += 1;
    for (const hook of this.resetHooks) hook();
    this.speaking = false;
    this.changed();
    return this.view();
  }

  /** Something else to forget on every reset. */
  onReset(hook: () => void): () => void {
    this.resetHooks.add(hook);
    return () => this.resetHooks.delete(hook);
  }

  setSpeaking(speaking: boolean): void {
    if (this.speaking === speaking) return;
    this.speaking = speaking;
    this.changed();
  }

  onChanged(listener: (session: KioskSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onPeripheralEvent(event: PeripheralEvent): void {
    switch (event.type) {
      case 'card-present':
        this.card = event;
        break;
      case 'card-removed':
        // Taking the card away ends what it opened (a balance, a payment): nothing of it may stay on screen.
        if (this.card?.reader !== event.reader) return;
        this.card = null;
        break;
      case 'document':
        this.document = event;
        break;
      case 'barcode':
        this.barcode = event.text;
        break;
      case 'reader-added':
      case 'reader-removed':
      case 'error':
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
    this.changed();
  }

  private changed(): void {
    const view = this.view();
    for (const listener of this.listeners) listener(view);
  }
}

/** A peripheral event source fed by hand: `--simulate-peripherals`, tests and demos. */
export class SimulatedPeripherals implements PeripheralEventSource {
  private readonly listeners = new Set<(event: PeripheralEvent) => void>();

  onEvent(listener: (event: PeripheralEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: PeripheralEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** One source made of several (the hub and the loopback simulator both feed the one session). */
export function mergePeripheralSources(sources: PeripheralEventSource[]): PeripheralEventSource {
  return {
    onEvent(listener) {
      const stops = sources.map((source) => source.onEvent(listener));
      return () => stops.forEach((stop) => stop());
    },
  };
}
