// Copies npm packages and their dependencies out of the checkout's node_modules into a package's staged tree,
// resolved the way Node resolves them. Used for both .deb packages (no network: everything comes from the checkout).
import fs from 'node:fs';
import path from 'node:path';

/** Copies `names` (resolved from `fromDir`) with their dependencies into `target`; returns name -> source dir. */
export function copyRuntimeModules(names, fromDir, target) {
  const copied = new Map();
  function findPackage(name, fromDir) {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
      if (dir === path.dirname(dir)) throw new Error(`runtime-modules: cannot find ${name} from ${fromDir}`);
    }
  }
  function copyPackage(name, fromDir) {
    const source = findPackage(name, fromDir);
    if (copied.has(name)) {
      if (copied.get(name) !== source)
        console.warn(`runtime-modules: two copies of ${name}; keeping the first`);
      return;
    }
    copied.set(name, source);
    const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
    fs.cpSync(source, path.join(target, name), {
      recursive: true,
      // better-sqlite3's C sources and object files are build inputs, not runtime
      filter: (file) => {
        if (name !== 'better-sqlite3') return true;
        const relative = path.relative(source, file);
        return !/^(deps|src|build\/(Release\/)?(obj|obj\.target|\.deps|test_extension))(\/|$)/.test(relative);
      },
    });
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      try {
        copyPackage(dependency, source);
      } catch (error) {
        if (!(manifest.optionalDependencies ?? {})[dependency]) throw error;
      }
    }
  }
  for (const name of names) copyPackage(name, fromDir);
  return copied;
}
