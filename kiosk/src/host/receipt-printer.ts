import { appendFile } from 'node:fs/promises';
import type { PaymentReceiptV1 } from '@linli/content';
import { BILL_CATEGORY_NAMES, formatFen } from '../shared/payment-api';
import { bold, CENTER, CUT, INIT, LEFT, lines, printedTime, qrCode, RULE, spread } from './escpos';

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

/** The ESC/POS bytes of a bilingual payment receipt. */
export function escPosReceipt(printable: PrintableReceipt): Buffer {
  const { receipt } = printable;
  return Buffer.concat([
    INIT,
    CENTER,
    bold(true),
    lines('邻里 一卡通缴费凭条', 'Linli card payment receipt'),
    bold(false),
    LEFT,
    lines(
      RULE,
      `时间 Time: ${printedTime(receipt.at)}`,
      `凭条 Receipt: ${receipt.receiptId}`,
      `户 Household: ${printable.unitLabel}`,
      `持卡人 Holder: ${printable.holderMasked}`,
      RULE,
      ...receipt.bills.map((bill) => {
        const name = BILL_CATEGORY_NAMES[bill.category];
        return spread(`${name['zh-CN']} ${name.en} ${bill.period}`, formatFen(bill.amount));
      }),
      RULE,
    ),
    bold(true),
    lines(spread('合计 Total', formatFen(receipt.amount))),
    bold(false),
    lines(spread('余额 Balance', formatFen(receipt.balanceAfter)), RULE),
    CENTER,
    qrCode(printable.receiptUrl, 6),
    lines('', '扫码查看电子凭条', 'Scan for the e-receipt', '', '', ''),
    CUT,
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
