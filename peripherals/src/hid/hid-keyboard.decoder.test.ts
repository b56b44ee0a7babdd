import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHidKeyboardDecoder, encodeKeyboardReports, type KeyToken } from './hid-keyboard.decoder';
import { createLineAssembler } from './keyboard-line.assembler';

const report = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
const typed = (tokens: KeyToken[]) =>
  tokens.map((token) => (token.kind === 'char' ? token.char : `<${token.kind}>`)).join('');
const decodeAll = (reports: Uint8Array[], reportId?: number) => {
  const decoder = createHidKeyboardDecoder({ reportId });
  return typed(reports.flatMap((r) => decoder.push(r)));
};

describe('HID boot keyboard decoder', () => {
  it('types letters, digits and Enter from press/release pairs', () => {
    const stream = [
      '00 00 0B 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '00 00 1E 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '00 00 28 00 00 00 00 00',
    ];
    expect(decodeAll(stream.map(report))).toBe('h1<enter>');
  });

  it('applies either shift key to letters and symbols', () => {
    const stream = [
      '02 00 04 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '20 00 1F 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '02 00 38 00 00 00 00 00',
    ];
    expect(decodeAll(stream.map(report))).toBe('A@?');
  });

  it('reads keypad digits and keypad Enter (scanners in "numeric keypad" mode)', () => {
    const stream = [
      '00 00 59 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '00 00 62 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
      '00 00 58 00 00 00 00 00',
    ];
    expect(decodeAll(stream.map(report))).toBe('10<enter>');
  });

  it('types a held key once and a key pressed while another is held once (rollover)', () => {
    const stream = [
      '00 00 04 00 00 00 00 00', // a down
      '00 00 04 00 00 00 00 00', // still down: a status report, not a new key
      '00 00 04 05 00 00 00 00', // b down while a held
      '00 00 05 00 00 00 00 00', // a up
      '00 00 00 00 00 00 00 00',
    ];
    expect(decodeAll(stream.map(report))).toBe('ab');
  });

  it('ignores ErrorRollOver reports without losing the keys that were down', () => {
    const stream = ['00 00 04 00 00 00 00 00', '00 00 01 01 01 01 01 01', '00 00 04 05 00 00 00 00'];
    expect(decodeAll(stream.map(report))).toBe('ab');
  });

  it('strips a configured report ID and rejects reports without it', () => {
    expect(decodeAll([report('01 00 00 04 00 00 00 00 00')], 1)).toBe('a');
    expect(decodeAll([report('00 00 04 00 00 00 00 00')], 1)).toBe('<malformed>');
  });

  it.each([
    ['truncated', '00 00 04 00 00 00 00'],
    ['too long', '00 00 04 00 00 00 00 00 00'],
    ['keys not packed left', '00 00 00 04 00 00 00 00'],
    ['repeated key code', '00 00 04 04 00 00 00 00'],
    ['code outside the keyboard page', '00 00 F0 00 00 00 00 00'],
  ])('marks a %s report as malformed', (_name, hex) => {
    expect(decodeAll([report(hex)])).toBe('<malformed>');
  });

  it('decodes what encodeKeyboardReports types, for any printable ASCII text', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 60,
    });
    fc.assert(
      fc.property(printable, (text) => {
        expect(decodeAll(encodeKeyboardReports(text))).toBe(`${text}<enter>`);
      }),
      { numRuns: 2_000 },
    );
  });

  it('fuzz: 100 000 random and mutated report streams never throw and only yield well-formed tokens', () => {
    const randomReport = fc.uint8Array({ minLength: 0, maxLength: 12 });
    const mutatedStream = fc
      .tuple(
        fc.string({ maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(7), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(),
      )
      .map(([text, flips, cut]) => {
        const reports = encodeKeyboardReports(text).map((r) => Uint8Array.from(r));
        for (const [which, at, value] of flips)
          if (reports.length > 0) reports[which % reports.length]![at] = value;
        if (cut % 4 === 0 && reports.length > 0)
          reports[cut % reports.length] = reports[cut % reports.length]!.slice(0, cut % 8);
        return reports;
      });
    const stream = fc.oneof(fc.array(randomReport, { maxLength: 6 }), mutatedStream);
    // Plain checks in the loop: expect() per token would make 100 000 runs take a minute.
    const kinds = new Set(['char', 'enter', 'tab', 'backspace', 'malformed']);
    fc.assert(
      fc.property(stream, fc.option(fc.integer({ min: 0, max: 255 })), (reports, reportId) => {
        const decoder = createHidKeyboardDecoder(reportId === null ? {} : { reportId });
        const assembler = createLineAssembler();
        let at = 0;
        for (const r of reports) {
          const tokens = decoder.push(r);
          for (const token of tokens) {
            if (!kinds.has(token.kind)) return false;
            if (token.kind === 'char' && token.char.length !== 1) return false;
          }
          for (const line of assembler.push(tokens, (at += 5)))
            if (line.kind !== 'line' && line.kind !== 'dropped') return false;
        }
        return true;
      }),
      { numRuns: 100_000 },
    );
  }, 180_000);
});

describe('line assembler', () => {
  const chars = (text: string): KeyToken[] => [...text].map((char) => ({ kind: 'char', char }));

  it('emits a line at its terminator', () => {
    const assembler = createLineAssembler();
    expect(assembler.push([...chars('12345'), { kind: 'enter' }], 0)).toEqual([
      { kind: 'line', text: '12345' },
    ]);
  });

  it('drops a line with a malformed report in it, then reads the next one', () => {
    const assembler = createLineAssembler();
    expect(
      assembler.push(
        [...chars('12'), { kind: 'malformed', reason: 'x' }, ...chars('34'), { kind: 'enter' }],
        0,
      ),
    ).toEqual([{ kind: 'dropped', reason: 'garbled', text: '1234' }]);
    expect(assembler.push([...chars('99'), { kind: 'tab' }], 1)).toEqual([{ kind: 'line', text: '99' }]);
  });

  it('drops a burst interrupted by a long gap, and expires an unterminated one', () => {
    const assembler = createLineAssembler({ maxGapMs: 100 });
    expect(assembler.push(chars('123'), 0)).toEqual([]);
    expect(assembler.push([...chars('456'), { kind: 'enter' }], 500)).toEqual([
      { kind: 'dropped', reason: 'incomplete', text: '123' },
      { kind: 'line', text: '456' },
    ]);
    expect(assembler.push(chars('78'), 600)).toEqual([]);
    expect(assembler.expire(650)).toEqual([]);
    expect(assembler.expire(701)).toEqual([{ kind: 'dropped', reason: 'incomplete', text: '78' }]);
  });

  it('drops an over-long line and honours the configured terminators', () => {
    const assembler = createLineAssembler({ maxLength: 4, terminators: ['enter'] });
    expect(assembler.push([...chars('123456'), { kind: 'enter' }], 0)).toEqual([
      { kind: 'dropped', reason: 'too-long', text: '1234' },
    ]);
    expect(assembler.push([...chars('ab'), { kind: 'tab' }, ...chars('c'), { kind: 'enter' }], 1)).toEqual([
      { kind: 'line', text: 'abc' },
    ]);
  });
});
