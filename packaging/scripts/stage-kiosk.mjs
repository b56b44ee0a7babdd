// Stages the kiosk's installed tree (/usr/lib/linli/kiosk) for the linli-kiosk package, without network:
//   node packaging/scripts/stage-kiosk.mjs <out-dir>
// The kiosk runs as `node kiosk/build/host/cli.js` (the esbuild bundle of supervisor and host, as `npm run kiosk`
// does), so the tree holds that bundle and the built renderer, the workspaces it reads data from (content's packs,
// the package.json files), and the runtime node_modules the bundle leaves external (native addons and the like).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRuntimeModules } from './runtime-modules.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const out = path.resolve(process.argv[2] ?? 'staged-kiosk');
const notTest = (file) => !/\.(test|spec)\.ts$/.test(file) && !file.includes(`${path.sep}e2e${path.sep}`);

if (!fs.existsSync(path.join(repo, 'kiosk/build/renderer/index.html'))) {
  execFileSync('npm', ['run', 'build:renderer', '-w', '@linli/kiosk'], { cwd: repo, stdio: 'inherit' });
}
// From the current source: rebuilt when anything it reads changed (a few seconds at most).
execFileSync(process.execPath, [path.join(repo, 'kiosk/scripts/build-host.mjs')], {
  cwd: repo,
  stdio: 'inherit',
});
fs.rmSync(out, { recursive: true, force: true });
const workspaces = {
  kiosk: ['package.json', 'build/renderer', 'build/host'],
  content: ['src', 'package.json', 'packs'],
  peripherals: ['src', 'package.json'],
};
const dependencies = new Set();
for (const [workspace, entries] of Object.entries(workspaces)) {
  for (const entry of entries) {
    const from = path.join(repo, workspace, entry);
    if (fs.existsSync(from))
      fs.cpSync(from, path.join(out, workspace, entry), { recursive: true, filter: notTest });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, workspace, 'package.json'), 'utf8'));
  for (const name of Object.keys(manifest.dependencies ?? {}))
    if (!name.startsWith('@linli/')) dependencies.add(name);
}
const copied = copyRuntimeModules(
  [...dependencies],
  path.join(repo, 'kiosk'),
  path.join(out, 'node_modules'),
);
// the workspaces import each other by package name, as in the checkout
fs.mkdirSync(path.join(out, 'node_modules', '@linli'), { recursive: true });
for (const workspace of ['content', 'peripherals']) {
  fs.symlinkSync(`../../${workspace}`, path.join(out, 'node_modules', '@linli', workspace));
}
fs.writeFileSync(
  path.join(out, 'package.json'),
  `${JSON.stringify({ name: 'linli-kiosk-runtime', private: true, type: 'module', workspaces: Object.keys(workspaces) }, null, 2)}\n`,
);
console.log(`stage-kiosk: staged ${out} (${copied.size} runtime packages)`);
