// electron-builder configuration for the kiosk's Electron shell on Linux.
//   npx electron-builder --config packaging/electron/electron-builder.config.mjs --linux deb AppImage
// builds the installable packages on a machine that can download Electron; offline (our build machines), only
//   npx electron-builder --config packaging/electron/electron-builder.config.mjs --linux --dir \
//     -c.electronDist=<folder with an unpacked Electron>
// works (SETUP-NOTES.md). LINLI_ELECTRON_DIST sets electronDist without the -c flag.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Electron fuses, flipped in the binary at package time. Each one closes a way to run code other than ours:
 * no `ELECTRON_RUN_AS_NODE`, no `NODE_OPTIONS`, no `--inspect`, and app code only from the signed asar.
 */
export const electronFuses = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

/** @type {import('electron-builder').Configuration} */
export const config = {
  appId: 'org.linli.kiosk',
  productName: 'Linli Kiosk',
  executableName: 'linli-kiosk',
  copyright: 'Linli contributors, AGPL-3.0-or-later',
  directories: {
    app: path.join(repo, 'kiosk'),
    output: process.env.LINLI_ELECTRON_OUT ?? path.join(repo, 'packaging', 'dist', 'electron'),
    buildResources: path.join(repo, 'packaging', 'electron'),
  },
  // only the built bundles and the host's runtime; sources, tests and e2e stay out of the asar
  files: ['build/**/*', 'package.json', '!**/*.map'],
  asar: true,
  electronFuses,
  // native modules (better-sqlite3) are rebuilt for Electron's ABI by electron-builder's @electron/rebuild;
  // the offline --dir build turns this off with -c.npmRebuild=false (no Electron headers here)
  npmRebuild: true,
  buildDependenciesFromSource: true,
  electronDist: process.env.LINLI_ELECTRON_DIST || undefined,
  linux: {
    target: ['deb', 'AppImage'],
    category: 'Utility',
    maintainer: 'Linli maintainers <linli@lists.linli.invalid>',
    synopsis: 'Linli community kiosk',
  },
  deb: { depends: ['pcscd', 'libusb-1.0-0'] },
};

export default config;
