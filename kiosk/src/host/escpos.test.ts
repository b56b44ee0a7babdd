import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CUT, INIT, printedTime, qrCode, spread } from './escpos';
import { escPosPass } from './visitor-pass.printer';

describe('ESC/POS slips', () => {
  it('spreads a label and an amount to the edges of a 58 mm line, counting Chinese as two cells', () => {
    expect(spread('合计 Total', '¥210.00')).toBe(`合计 Total${' '.repeat(32 - 10 - 7)}¥210.00`);
    // Too long for one line: the amount goes on its own line, right-aligned.
    const long = spread('物业费 Property 2026-11 至 2026-12', '¥1,200.00');
    expect(long.split('\n')).toEqual(['物业费 Property 2026-11 至 2026-12', `${' '.repeat(23)}¥1,200.00`]);
  });

  it('encodes the QR payload with its length in the store command', () => {
    const data = 'https://linli.example/receipts/abc';
    const bytes = qrCode(data, 6);
    const store = bytes.indexOf(Buffer.from([0x1d, 0x28, 0x6b, data.length + 3, 0x00, 0x31, 0x50, 0x30]));
    expect(store).toBeGreaterThan(0);
    expect(bytes.subarray(store + 8, store + 8 + data.length).toString('ascii')).toBe(data);
  });

  it('prints a pass in GB18030 between reset and cut, in community time, with no personal data', () => {
    const pass = escPosPass({
      pass: {
        passId: 'p1',
        token: 'LP1.eyJ2IjoxfQ.c2ln',
        doors: ['大门', '2号楼'],
        validFrom: '2026-11-25T10:00:00.000Z',
        validTo: '2026-11-25T14:30:00.000Z',
      },
      unitLabel: '2号楼 1201',
    });
    expect(pass.subarray(0, INIT.length).equals(INIT)).toBe(true);
    expect(pass.subarray(pass.length - CUT.length).equals(CUT)).toBe(true);
    const text = iconv.decode(pass, 'gb18030');
    expect(text).toContain('通行 Doors: 大门 / 2号楼');
    expect(text).toContain('至 Until: 2026-11-25 22:30');
    expect(printedTime('2026-11-25T10:00:00.000Z')).toBe('2026-11-25 18:00');
  });
});
