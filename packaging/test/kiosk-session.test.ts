// The locked kiosk session script (linli-kiosk-session) turns /etc/linli/kiosk.env into the cage command line. cage
// needs a display (DRM and a seat) that build machines lack, so the script runs here against a recording stand-in
// for cage (LINLI_KIOSK_CAGE) that answers `-h` like Debian 12's cage 0.1.4 — or like a newer cage without `-r`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const session = path.resolve(import.meta.dirname, '../kiosk/linli-kiosk-session');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-kiosk-session-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A cage stand-in: `-h` prints the usage of a cage with or without -r; otherwise it records its arguments. */
function fakeCage(canRotate: boolean): { binary: string; calls: string } {
  const dir = fs.mkdtempSync(path.join(work, 'cage-'));
  const binary = path.join(dir, 'cage');
  const calls = path.join(dir, 'calls');
  // the -r line is copied from Debian 12's cage 0.1.4 (`cage -h`)
  const usage = [
    'Usage: cage [OPTIONS] [--] APPLICATION',
    ' -d\t Draw no client side decorations',
    ...(canRotate ? [' -r\t Rotate the output 90 degrees clockwise, specify up to three times'] : []),
    ' -s\t Allow VT switching',
  ].join('\\n');
  fs.writeFileSync(
    binary,
    `#!/bin/sh\nif [ "$1" = -h ]; then printf '${usage}\\n' >&2; exit 0; fi\nprintf '%s\\n' "$@" > '${calls}'\n`,
    { mode: 0o755 },
  );
  return { binary, calls };
}

function runSession(env: Record<string, string>, canRotate = true) {
  const cage = fakeCage(canRotate);
  const result = spawnSync('/bin/sh', [session], {
    env: { PATH: '/usr/bin:/bin', LINLI_KIOSK_CAGE: cage.binary, LINLI_KIOSK_NODE: '/usr/bin/node', ...env },
    encoding: 'utf8',
  });
  const argv = fs.existsSync(cage.calls) ? fs.readFileSync(cage.calls, 'utf8').trimEnd().split('\n') : null;
  return { status: result.status, stderr: result.stderr, argv };
}

describe('linli-kiosk-session', () => {
  it.each([
    ['', []],
    ['landscape', []],
    ['portrait', ['-r']],
    ['landscape-flipped', ['-r', '-r']],
    ['portrait-flipped', ['-r', '-r', '-r']],
  ])('orientation %j turns the cage output by %j', (orientation, turns) => {
    const run = runSession(orientation ? { LINLI_KIOSK_ORIENTATION: orientation } : {});
    expect(run.status, run.stderr).toBe(0);
    const separator = run.argv!.indexOf('--');
    expect(run.argv!.slice(0, separator)).toEqual(['-d', '-s', ...turns]);
    const cli = run.argv!.slice(separator + 1);
    expect(cli.slice(0, 2)).toEqual(['/usr/bin/node', '/usr/lib/linli/kiosk/kiosk/build/host/cli.js']);
    // the kiosk gets the orientation too (it validates it and reports it), the default spelled out
    expect(cli.join(' ')).toContain(`--orientation ${orientation || 'landscape'}`);
  });

  it('hands mode, server, pairing code and name to the kiosk, and leaves out what is blank', () => {
    const run = runSession({
      LINLI_KIOSK_MODE: 'signage',
      LINLI_SERVER_URL: 'http://linli.example.org:8080',
      LINLI_PAIRING_CODE: 'K7P2M9QX',
      LINLI_KIOSK_NAME: '大堂 一号',
    });
    expect(run.status, run.stderr).toBe(0);
    const cli = run.argv!.slice(run.argv!.indexOf('--') + 3);
    expect(cli).toEqual([
      '--shell',
      'chromium',
      '--data-dir',
      '/var/lib/linli-kiosk',
      '--port',
      '0',
      '--mode',
      'signage',
      '--orientation',
      'landscape',
      '--server',
      'http://linli.example.org:8080',
      '--pairing-code',
      'K7P2M9QX',
      '--name',
      '大堂 一号',
    ]);
    const bare = runSession({ LINLI_KIOSK_MODE: '', LINLI_PAIRING_CODE: '' });
    expect(bare.argv!.join(' ')).toContain('--mode lobby');
    expect(bare.argv).not.toContain('--pairing-code');
  });

  it('refuses an unknown orientation with exit 2 (not restarted) and a message naming the setting', () => {
    const run = runSession({ LINLI_KIOSK_ORIENTATION: 'vertical' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('LINLI_KIOSK_ORIENTATION=vertical');
    expect(run.argv).toBeNull();
    const unit = fs.readFileSync(path.resolve(import.meta.dirname, '../kiosk/linli-kiosk.service'), 'utf8');
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });

  it('refuses to turn the screen with a cage that cannot (no -r), but runs unturned with it', () => {
    const turned = runSession({ LINLI_KIOSK_ORIENTATION: 'portrait' }, false);
    expect(turned.status).toBe(2);
    expect(turned.stderr).toContain('cannot rotate');
    expect(turned.argv).toBeNull();
    const plain = runSession({ LINLI_KIOSK_ORIENTATION: 'landscape' }, false);
    expect(plain.status, plain.stderr).toBe(0);
  });
});
