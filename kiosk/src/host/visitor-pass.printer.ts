import { appendFile } from 'node:fs/promises';
import type { VisitorPassV1 } from '@linli/content';
import iconv from 'iconv-lite';

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

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

/** Community time (Asia/Shanghai), `2026-11-25 18:30`. */
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

/** `GS ( k` commands (model 2, module size 5, error correction M): the printer draws the QR code itself. */
function qrCommands(data: string): Buffer {
  const bytes = Buffer.from(data, 'ascii');
  const length = bytes.length + 3;
  return Buffer.concat([
    Buffer.from([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x05]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31]),
    Buffer.from([GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, 0x50, 0x30]),
    bytes,
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]),
  ]);
}

/** The ESC/POS bytes of a bilingual visitor pass; Chinese text in GB18030 after `FS &` (Chinese mode). */
export function escPosPass({ pass, unitLabel }: PrintablePass): Buffer {
  const lines = (...values: string[]) => iconv.encode(`${values.join('\n')}\n`, 'gb18030');
  const center = Buffer.from([ESC, 0x61, 0x01]);
  const left = Buffer.from([ESC, 0x61, 0x00]);
  const bold = (on: boolean) => Buffer.from([ESC, 0x45, on ? 1 : 0]);
  const rule = '-'.repeat(32);
  return Buffer.concat([
    Buffer.from([ESC, 0x40, FS, 0x26]),
    center,
    bold(true),
    lines('邻里 访客通行证', 'Linli visitor pass'),
    bold(false),
    qrCommands(pass.token),
    left,
    lines(
      rule,
      ...(unitLabel ? [`到访 Visiting: ${unitLabel}`] : []),
      `通行 Doors: ${pass.doors.join(' / ')}`,
      `有效期 Valid from: ${printedTime(pass.validFrom)}`,
      `至 Until: ${printedTime(pass.validTo)}`,
      rule,
      '请在门禁处出示二维码',
      'Show the QR code at the door',
      '',
      '',
    ),
    Buffer.from([GS, 0x56, 0x42, 0x00]),
  ]);
}

/** An ESC/POS printer behind a file or device path; one append per pass, so two never interleave. */
export class EscPosPassPrinter implements PassPrinter {
  constructor(readonly path: string) {}

  async print(pass: PrintablePass): Promise<void> {
    await appendFile(this.path, escPosPass(pass));
  }
}
