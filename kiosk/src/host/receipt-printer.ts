import { appendFile } from 'node:fs/promises';
import type { PaymentReceiptV1 } from '@linli/content';
import iconv from 'iconv-lite';
import { BILL_CATEGORY_NAMES, formatFen } from '../shared/payment-api';

/** What goes on a paper receipt. */
export interface PrintableReceipt {
  receipt: PaymentReceiptV1;
  /** The e-receipt address, printed as a QR code. */
  receiptUrl: string;
  /** Masked holder name and unit, as the kiosk showed them. */
  holderMasked: string;
  unitLabel: string;
}

/** A receipt printer: prints one receipt or throws. */
export interface ReceiptPrinter {
  print(receipt: PrintableReceipt): Promise<void>;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

/** Receipt paper of 58 mm holds 32 half-width characters a line (16 Chinese ones). */
const LINE_WIDTH = 32;

/** Display width on a receipt printer: CJK characters take two cells. */
function cells(text: string): number {
  let width = 0;
  for (const char of text) width += char.codePointAt(0)! > 0x2e7f ? 2 : 1;
  return width;
}

/** A line with `left` and `right` pushed to the edges (on a line of its own when they do not fit together). */
function spread(left: string, right: string): string {
  const gap = LINE_WIDTH - cells(left) - cells(right);
  return gap >= 1
    ? `${left}${' '.repeat(gap)}${right}`
    : `${left}\n${' '.repeat(Math.max(0, LINE_WIDTH - cells(right)))}${right}`;
}

/** `GS ( k` QR code commands (model 2, module size 6, error correction M) for `data`. */
function qrCommands(data: string): Buffer {
  const bytes = Buffer.from(data, 'ascii');
  const length = bytes.length + 3;
  return Buffer.concat([
    Buffer.from([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31]),
    Buffer.from([GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, 0x50, 0x30]),
    bytes,
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]),
  ]);
}

/** Time as printed: community time zone (Asia/Shanghai), `2026-11-25 18:30`. */
function printedTime(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * The ESC/POS bytes of a receipt, bilingual. Chinese printers take GB18030 text once `FS &` has switched them to
 * Chinese character mode; the QR code is printed by the printer itself (`GS ( k`), so no image is rasterised here.
 */
export function escPosReceipt(printable: PrintableReceipt): Buffer {
  const { receipt } = printable;
  const text = (value: string) => iconv.encode(value, 'gb18030');
  const lines = (...values: string[]) => text(`${values.join('\n')}\n`);
  const center = Buffer.from([ESC, 0x61, 0x01]);
  const left = Buffer.from([ESC, 0x61, 0x00]);
  const bold = (on: boolean) => Buffer.from([ESC, 0x45, on ? 1 : 0]);
  const rule = '-'.repeat(LINE_WIDTH);
  return Buffer.concat([
    Buffer.from([ESC, 0x40, FS, 0x26]),
    center,
    bold(true),
    lines('邻里 一卡通缴费凭条', 'Linli card payment receipt'),
    bold(false),
    left,
    lines(
      rule,
      `时间 Time: ${printedTime(receipt.at)}`,
      `凭条 Receipt: ${receipt.receiptId}`,
      `户 Household: ${printable.unitLabel}`,
      `持卡人 Holder: ${printable.holderMasked}`,
      rule,
      ...receipt.bills.map((bill) => {
        const name = BILL_CATEGORY_NAMES[bill.category];
        return spread(`${name['zh-CN']} ${name.en} ${bill.period}`, formatFen(bill.amount));
      }),
      rule,
    ),
    bold(true),
    lines(spread('合计 Total', formatFen(receipt.amount))),
    bold(false),
    lines(spread('余额 Balance', formatFen(receipt.balanceAfter)), rule),
    center,
    qrCommands(printable.receiptUrl),
    lines('', '扫码查看电子凭条', 'Scan for the e-receipt', '', '', ''),
    // Feed and partial cut (printers without a cutter ignore it).
    Buffer.from([GS, 0x56, 0x42, 0x00]),
  ]);
}

/**
 * An ESC/POS receipt printer behind a file or device path (`/dev/usb/lp0`, a serial port set up by the installer,
 * or a plain file in tests). Each receipt is one append, so two receipts never interleave.
 */
export class EscPosReceiptPrinter implements ReceiptPrinter {
  constructor(readonly path: string) {}

  async print(receipt: PrintableReceipt): Promise<void> {
    await appendFile(this.path, escPosReceipt(receipt));
  }
}
