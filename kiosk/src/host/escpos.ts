import iconv from 'iconv-lite';

// The few ESC/POS commands Linli's paper slips (payment receipts, visitor passes) are made of. Chinese receipt
// printers take GB18030 text once `FS &` has switched them to Chinese character mode, and draw QR codes themselves
// (`GS ( k`), so no image is rasterised here.

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

/** Receipt paper of 58 mm holds 32 half-width characters a line (16 Chinese ones). */
export const LINE_WIDTH = 32;

/** A full-width rule. */
export const RULE = '-'.repeat(LINE_WIDTH);

/** Reset the printer and switch it to Chinese character mode. */
export const INIT = Buffer.from([ESC, 0x40, FS, 0x26]);
export const CENTER = Buffer.from([ESC, 0x61, 0x01]);
export const LEFT = Buffer.from([ESC, 0x61, 0x00]);
/** Feed and partial cut (printers without a cutter ignore it). */
export const CUT = Buffer.from([GS, 0x56, 0x42, 0x00]);

export const bold = (on: boolean) => Buffer.from([ESC, 0x45, on ? 1 : 0]);

/** Lines of text in GB18030, each ended by a newline. */
export const lines = (...values: string[]) => iconv.encode(`${values.join('\n')}\n`, 'gb18030');

/** Display width on a receipt printer: CJK characters take two cells. */
function cells(text: string): number {
  let width = 0;
  for (const char of text) width += char.codePointAt(0)! > 0x2e7f ? 2 : 1;
  return width;
}

/** A line with `left` and `right` pushed to the edges (on a line of its own when they do not fit together). */
export function spread(left: string, right: string): string {
  const gap = LINE_WIDTH - cells(left) - cells(right);
  return gap >= 1
    ? `${left}${' '.repeat(gap)}${right}`
    : `${left}\n${' '.repeat(Math.max(0, LINE_WIDTH - cells(right)))}${right}`;
}

/** `GS ( k` commands for a QR code of `data` (model 2, error correction M, module size in dots). */
export function qrCode(data: string, moduleSize: number): Buffer {
  const bytes = Buffer.from(data, 'ascii');
  const length = bytes.length + 3;
  return Buffer.concat([
    Buffer.from([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleSize]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31]),
    Buffer.from([GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, 0x50, 0x30]),
    bytes,
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]),
  ]);
}

const timeFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** Time as printed: community time zone (Asia/Shanghai), `2026-11-25 18:30`. */
export function printedTime(iso: string): string {
  const parts = timeFormatter.formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}
