// The kiosk's electron-builder configuration. There is no Electron binary on our build machines, so the offline
// `--dir` build runs against a stub electronDist: a shell script carrying Electron's fuse sentinel and an
// all-enabled fuse wire (the layout @electron/fuses reads), which electron-builder then flips like a real binary.
// On a machine with Electron, `npx @electron/fuses read --app <binary>` shows the same (packaging/README.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { config, electronFuses } from '../electron/electron-builder.config.mjs';

// @electron/fuses does not export its FuseState enum: a fuse byte is the character '0' (off) or '1' (on)
const FuseState = { DISABLE: 0x30, ENABLE: 0x31 } as const;
const repo = path.resolve(import.meta.dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-electron-builder-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Electron's fuse sentinel, then wire version 1, length 8, all fuses enabled ('1'). */
function stubElectron(dir: string): void {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const wire = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stub Electron for packaging tests"\nexit 0\n# '),
    Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
    Buffer.from([1, 8]),
    Buffer.from('11111111'),
    Buffer.from('\n'),
  ]);
  fs.writeFileSync(path.join(dir, 'electron'), wire, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stub');
  fs.writeFileSync(path.join(dir, 'LICENSES.chromium.html'), 'stub');
}

describe('kiosk electron-builder configuration', () => {
  it('sets the fuses that close every way to run foreign code', () => {
    expect(electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.electronFuses).toBe(electronFuses);
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.linux?.target).toEqual(['deb', 'AppImage']);
  });

  it('builds --dir offline with the real configuration and flips the fuses in the binary', () => {
    const dist = path.join(work, 'electron-dist');
    const out = path.join(work, 'out');
    stubElectron(dist);
    execFileSync(
      path.join(repo, 'node_modules/.bin/electron-builder'),
      [
        '--config',
        'packaging/electron/electron-builder.config.mjs',
        '--linux',
        '--dir',
        '-c.npmRebuild=false',
      ],
      {
        cwd: repo,
        env: { ...process.env, LINLI_ELECTRON_DIST: dist, LINLI_ELECTRON_OUT: out },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const unpacked = path.join(out, 'linux-unpacked');
    expect(fs.existsSync(path.join(unpacked, 'resources', 'app.asar'))).toBe(true);
    return getCurrentFuseWire(path.join(unpacked, 'linli-kiosk')).then((wire) => {
      expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    });
  }, 180_000);
});
