import type { KeyToken } from './hid-keyboard.decoder';

// Turns typed tokens into complete lines. A reader or scanner types a whole code in a burst (a few ms per key)
// and ends it with Enter or Tab. Whatever does not fit that pattern is dropped with a reason instead of being
// passed on: a gap longer than `maxGapMs` inside a line (a truncated burst, or a person at a keyboard), a
// malformed report inside the line, or a line longer than `maxLength`.

export interface LineAssemblerOptions {
  /** Keys that end a line (default Enter and Tab). */
  terminators?: ('enter' | 'tab')[];
  /** Longest pause between two keys of one line (default 150 ms). */
  maxGapMs?: number;
  /** Longest line (default 4096: a QR code holds up to ~3 KB of text). */
  maxLength?: number;
}

/** What came out of the tokens. */
export type AssembledLine =
  | { kind: 'line'; text: string }
  | { kind: 'dropped'; reason: 'garbled' | 'incomplete' | 'too-long'; text: string };

/** A line assembler for one device. Time is passed in (ms, monotonic) so tests control it. */
export interface LineAssembler {
  push(tokens: KeyToken[], atMs: number): AssembledLine[];
  /** Reports a partial line whose burst ended without a terminator; call it from a timer. */
  expire(atMs: number): AssembledLine[];
}

/** Creates a line assembler. */
export function createLineAssembler(options: LineAssemblerOptions = {}): LineAssembler {
  const terminators = new Set(options.terminators ?? ['enter', 'tab']);
  const maxGapMs = options.maxGapMs ?? 150;
  const maxLength = options.maxLength ?? 4096;
  let text = '';
  let garbled = false;
  let tooLong = false;
  let lastAt: number | null = null;

  const clear = () => {
    text = '';
    garbled = false;
    tooLong = false;
  };
  const pending = () => text.length > 0 || garbled;

  return {
    push(tokens, atMs) {
      const out: AssembledLine[] = [];
      if (tokens.length === 0) return out;
      if (pending() && lastAt !== null && atMs - lastAt > maxGapMs) {
        out.push({ kind: 'dropped', reason: garbled ? 'garbled' : 'incomplete', text });
        clear();
      }
      lastAt = atMs;
      for (const token of tokens) {
        switch (token.kind) {
          case 'char':
            if (text.length >= maxLength) tooLong = true;
            else text += token.char;
            break;
          case 'backspace':
            text = text.slice(0, -1);
            break;
          case 'malformed':
            garbled = true;
            break;
          case 'enter':
          case 'tab':
            if (!terminators.has(token.kind)) break;
            if (garbled) out.push({ kind: 'dropped', reason: 'garbled', text });
            else if (tooLong) out.push({ kind: 'dropped', reason: 'too-long', text });
            else if (text.length > 0) out.push({ kind: 'line', text });
            clear();
            break;
        }
      }
      return out;
    },
    expire(atMs) {
      if (!pending() || lastAt === null || atMs - lastAt <= maxGapMs) return [];
      const dropped: AssembledLine = { kind: 'dropped', reason: garbled ? 'garbled' : 'incomplete', text };
      clear();
      return [dropped];
    },
  };
}
