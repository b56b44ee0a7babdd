import { appendFile } from 'node:fs/promises';
import type { VisitorPassV1 } from '@linli/content';
import { bold, CENTER, CUT, INIT, LEFT, lines, printedTime, qrCode, RULE } from './escpos';

/** What goes on a printed visitor pass. No name, no ID number: the QR token is the pass. */
export interface PrintablePass {
  pass: VisitorPassV1;
  /** e.g. "3号楼 1201" */
  unitLabel: string | null;
}

/** Prints a visitor pass or throws. */
export interface PassPrinter {
  print(pass: PrintablePass): Promise<void>;
}

/** The ESC/POS bytes of a bilingual visitor pass. */
export function escPosPass({ pass, unitLabel }: PrintablePass): Buffer {
  return Buffer.concat([
    INIT,
    CENTER,
    bold(true),
    lines('邻里 访客通行证', 'Linli visitor pass'),
    bold(false),
    // A smaller module than the receipt's: a pass token is longer than a receipt address.
    qrCode(pass.token, 5),
    LEFT,
    lines(
      RULE,
      ...(unitLabel ? [`到访 Visiting: ${unitLabel}`] : []),
      `通行 Doors: ${pass.doors.join(' / ')}`,
      `有效期 Valid from: ${printedTime(pass.validFrom)}`,
      `至 Until: ${printedTime(pass.validTo)}`,
      RULE,
      '请在门禁处出示二维码',
      'Show the QR code at the door',
      '',
      '',
    ),
    CUT,
  ]);
}

/** An ESC/POS printer behind a file or device path; one append per pass, so two never interleave. */
export class EscPosPassPrinter implements PassPrinter {
  constructor(readonly path: string) {}

  async print(pass: PrintablePass): Promise<void> {
    await appendFile(this.path, escPosPass(pass));
  }
}
