import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { PeripheralEvent } from '@linli/content';
import { describe, expect, it } from 'vitest';
import { ensureOcrFixtures, fixtureToolsMissing } from '../../test/ocr-fixtures';

// The CLI as an installer runs it: the real bin shim, a real process, output parsed line by line.

const BIN = path.resolve(import.meta.dirname, '../../bin/linli-peripherals.mjs');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LANG: 'C' },
  });
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('linli-peripherals CLI', () => {
  it('id: valid and invalid numbers, both exit 0, JSON says why', () => {
    const good = run('id', '11010519491231002X', '--json');
    expect(good.status).toBe(0);
    expect(jsonLines(good.stdout)).toEqual([
      {
        valid: true,
        number: '11010519491231002X',
        areaCode: '110105',
        provinceCode: '11',
        birthDate: '1949-12-31',
        sex: 'female',
      },
    ]);
    const bad = run('id', '11010519491231002Y', '--json');
    expect(bad.status).toBe(0);
    expect(jsonLines(bad.stdout)[0]).toMatchObject({ valid: false, reason: 'id-invalid-character' });
  });

  it('speaks Chinese by default and English on request', () => {
    expect(run('id', '11010519491231002X', '--lang', 'zh').stdout).toContain('有效');
    expect(run('id', '11010519491231002X', '--lang', 'en').stdout).toContain('valid');
  });

  it('mrz: prints the document event, valid or not', () => {
    const lines = [
      'I<UTOD231458907<<<<<<<<<<<<<<<',
      '7408122F1204159UTO<<<<<<<<<<<6',
      'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
    ];
    const good = run('mrz', ...lines, '--json');
    expect(good.status).toBe(0);
    const [event] = jsonLines(good.stdout);
    expect(PeripheralEvent.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({ type: 'document', kind: 'mrz-td1', valid: true });
    const broken = run('mrz', lines[0]!.replace('7<', '8<'), lines[1]!, lines[2]!, '--json');
    expect(broken.status).toBe(0);
    expect(jsonLines(broken.stdout)[0]).toMatchObject({
      valid: false,
      problems: [{ kind: 'mrz-check-digit-mismatch', field: 'documentNumber' }, { field: 'composite' }],
    });
    expect(jsonLines(run('mrz', 'HELLO', '--json').stdout)[0]).toMatchObject({
      valid: false,
      problems: [{ kind: 'mrz-unknown-format' }],
    });
  });

  it('usage errors exit 2', () => {
    expect(run().status).toBe(2);
    expect(run('frobnicate').status).toBe(2);
    expect(run('id').status).toBe(2);
    expect(run('ocr', 'a.jpg', '--kind', 'passport').status).toBe(2);
  });

  it('list: JSON lines for readers, HID devices and drivers', () => {
    const listed = run('list', '--json', '--wait', '200');
    expect(listed.status).toBe(0);
    const entries = jsonLines(listed.stdout);
    expect(entries.some((entry) => entry.kind === 'driver' && entry.driver === 'pcsc')).toBe(true);
  });

  it('watch: events as JSON lines until interrupted, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', '--json', '--lang', 'en'], {
      env: { ...process.env, LANG: 'C' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    // Interrupt only once the CLI says it is watching (before that, Ctrl-C would kill it unhandled).
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('Watching')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`watch exited ${code} before watching: ${stderr}`)));
    });
    child.kill('SIGINT');
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(status).toBe(0);
    for (const event of jsonLines(stdout)) expect(PeripheralEvent.safeParse(event).success).toBe(true);
  }, 30_000);

  it.skipIf(fixtureToolsMissing() !== null)(
    'ocr: reads a generated passport image into a document event',
    async () => {
      const set = await ensureOcrFixtures({ mrzCount: 60, cnIdCount: 30 });
      const fixture = set.mrz.find((candidate) => candidate.format === 'td3')!;
      const read = run('ocr', path.join(set.dir, fixture.file), '--kind', 'mrz', '--json');
      expect(read.status, read.stderr).toBe(0);
      const [event] = jsonLines(read.stdout);
      expect(PeripheralEvent.safeParse(event).success).toBe(true);
      expect(event).toMatchObject({
        kind: 'mrz-td3',
        fields: { documentNumber: { value: fixture.fields.documentNumber } },
      });
      const missing = run('ocr', '/no/such/image.jpg', '--json');
      expect(missing.status).toBe(1);
      expect(jsonLines(missing.stdout)[0]).toMatchObject({ type: 'error', kind: 'image-unreadable' });
    },
    300_000,
  );
});
