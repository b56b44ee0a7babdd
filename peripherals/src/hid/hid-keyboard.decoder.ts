// Keyboard-wedge card readers and barcode scanners pretend to be USB keyboards and type what they read,
// ending with Enter (or Tab). They send HID boot-keyboard input reports (HID 1.11 appendix B.1):
//   byte 0 modifiers (bit 1 left shift, bit 5 right shift, …), byte 1 reserved, bytes 2–7 up to six key codes
// (Usage Page 0x07). A report is the *state* of the keys, not a key event: a key is typed when it appears in a
// report and was not in the previous one. Some devices prefix a report ID, making the report 9 bytes long.
//
// The decoder is a pure state machine: reports in, tokens out, no clock and no I/O. Anything that does not look
// like a boot report (wrong length, keys not packed to the left, codes outside the keyboard page, duplicates)
// becomes a `malformed` token so that the line it falls into is thrown away rather than misread: a wrong card
// UID is worse than asking the resident to tap again.

/** One thing the keyboard typed. */
export type KeyToken =
  | { kind: 'char'; char: string }
  | { kind: 'enter' }
  | { kind: 'tab' }
  | { kind: 'backspace' }
  | { kind: 'malformed'; reason: string };

const SHIFT_MASK = 0x02 | 0x20;

/** US layout, Usage IDs 0x1E–0x38 that are not letters: [unshifted, shifted]. */
const SYMBOLS: Record<number, [string, string]> = {
  0x1e: ['1', '!'],
  0x1f: ['2', '@'],
  0x20: ['3', '#'],
  0x21: ['4', '$'],
  0x22: ['5', '%'],
  0x23: ['6', '^'],
  0x24: ['7', '&'],
  0x25: ['8', '*'],
  0x26: ['9', '('],
  0x27: ['0', ')'],
  0x2c: [' ', ' '],
  0x2d: ['-', '_'],
  0x2e: ['=', '+'],
  0x2f: ['[', '{'],
  0x30: [']', '}'],
  0x31: ['\\', '|'],
  0x32: ['\\', '|'],
  0x33: [';', ':'],
  0x34: ["'", '"'],
  0x35: ['`', '~'],
  0x36: [',', '<'],
  0x37: ['.', '>'],
  0x38: ['/', '?'],
};

/** Keypad Usage IDs: scanners configured for "numeric keypad" output type digits this way. */
const KEYPAD: Record<number, string> = {
  0x54: '/',
  0x55: '*',
  0x56: '-',
  0x57: '+',
  0x59: '1',
  0x5a: '2',
  0x5b: '3',
  0x5c: '4',
  0x5d: '5',
  0x5e: '6',
  0x5f: '7',
  0x60: '8',
  0x61: '9',
  0x62: '0',
  0x63: '.',
};

const ERROR_ROLL_OVER = 0x01;
const LAST_KEYBOARD_USAGE = 0xe7;

/** Options of a decoder. */
export interface HidKeyboardDecoderOptions {
  /** The report ID byte the device puts in front of each report, if it uses numbered reports. */
  reportId?: number;
}

/** A stateful decoder for one device. */
export interface HidKeyboardDecoder {
  /** Feeds one input report; returns the tokens it typed (often none, e.g. for a key-release report). */
  push(report: Uint8Array): KeyToken[];
  /** Forgets the pressed keys, e.g. after the device was reopened. */
  reset(): void;
}

/** Creates a boot-keyboard report decoder. */
export function createHidKeyboardDecoder(options: HidKeyboardDecoderOptions = {}): HidKeyboardDecoder {
  let pressed: number[] = [];
  return {
    push(input) {
      let report = input;
      if (options.reportId !== undefined) {
        if (report.length !== 9 || report[0] !== options.reportId) {
          return [{ kind: 'malformed', reason: `expected a 9-byte report with ID ${options.reportId}` }];
        }
        report = report.subarray(1);
      }
      if (report.length !== 8)
        return [{ kind: 'malformed', reason: `a boot keyboard report has 8 bytes, got ${report.length}` }];
      const keys = Array.from(report.subarray(2));
      // ErrorRollOver in every slot: too many keys at once; the report says nothing about which are down.
      if (keys.includes(ERROR_ROLL_OVER)) return [];
      const firstEmpty = keys.indexOf(0);
      const down = firstEmpty === -1 ? keys : keys.slice(0, firstEmpty);
      if (firstEmpty !== -1 && keys.slice(firstEmpty).some((key) => key !== 0)) {
        pressed = [];
        return [{ kind: 'malformed', reason: 'key codes are not packed to the left' }];
      }
      if (down.some((key) => key < 0x04 || key > LAST_KEYBOARD_USAGE) || new Set(down).size !== down.length) {
        pressed = [];
        return [{ kind: 'malformed', reason: 'key codes outside the keyboard page or repeated' }];
      }
      const shift = (report[0]! & SHIFT_MASK) !== 0;
      const tokens: KeyToken[] = [];
      for (const key of down) {
        if (pressed.includes(key)) continue;
        const token = tokenFor(key, shift);
        if (token) tokens.push(token);
      }
      pressed = down;
      return tokens;
    },
    reset() {
      pressed = [];
    },
  };
}

function tokenFor(key: number, shift: boolean): KeyToken | null {
  if (key >= 0x04 && key <= 0x1d) {
    const letter = String.fromCharCode(97 + key - 0x04);
    return { kind: 'char', char: shift ? letter.toUpperCase() : letter };
  }
  const symbol = SYMBOLS[key];
  if (symbol) return { kind: 'char', char: shift ? symbol[1] : symbol[0] };
  const keypad = KEYPAD[key];
  if (keypad) return { kind: 'char', char: keypad };
  if (key === 0x28 || key === 0x58) return { kind: 'enter' };
  if (key === 0x2b) return { kind: 'tab' };
  if (key === 0x2a) return { kind: 'backspace' };
  // Modifiers as keys, Caps Lock, function keys…: nothing a reader types on purpose.
  return null;
}

/**
 * The reports a device sends to type `text` followed by Enter: press, release for every character. The
 * simulators type through the real decoder with these; tests use them as recorded streams.
 */
export function encodeKeyboardReports(
  text: string,
  terminator: 'enter' | 'tab' | 'none' = 'enter',
): Uint8Array[] {
  const reports: Uint8Array[] = [];
  const release = () => reports.push(new Uint8Array(8));
  for (const char of text) {
    const found = keyFor(char);
    if (!found) continue;
    reports.push(Uint8Array.from([found.shift ? 0x02 : 0, 0, found.key, 0, 0, 0, 0, 0]));
    release();
  }
  if (terminator !== 'none') {
    reports.push(Uint8Array.from([0, 0, terminator === 'enter' ? 0x28 : 0x2b, 0, 0, 0, 0, 0]));
    release();
  }
  return reports;
}

function keyFor(char: string): { key: number; shift: boolean } | null {
  const lower = char.toLowerCase();
  if (lower >= 'a' && lower <= 'z' && lower.length === 1) {
    return { key: 0x04 + lower.charCodeAt(0) - 97, shift: char !== lower };
  }
  for (const [code, [plain, shifted]] of Object.entries(SYMBOLS)) {
    if (plain === char) return { key: Number(code), shift: false };
    if (shifted === char) return { key: Number(code), shift: true };
  }
  return null;
}
