import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPack } from '@linli/content/node';
import type { AssetService } from '../assets/asset.service';
import type { ContentService } from './content.service';

/** What a pack import did, or why it did nothing. */
export type PackImportResult =
  | { ok: true; value: { packId: string; items: number; assets: number } }
  | { ok: false; error: { kind: 'pack-not-found' | 'pack-invalid' | 'asset-refused'; message: string } };

const DEMO_PACK = path.join('content', 'packs', 'demo');

/**
 * Finds the demo pack: LINLI_PACK_DIR when set, else `content/packs/demo` in the nearest ancestor of the working
 * directory or of this module that has one. The module may run from source (tsx, vitest) or bundled into
 * `signage-server/build/server/chunks/`, and `npm start` may run in the repository root or in signage-server/.
 */
export function resolvePackDir(
  configured: string | undefined,
  from: string[] = defaultStarts(),
): string | null {
  if (configured) return path.resolve(configured);
  for (const start of from) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, DEMO_PACK);
      if (fs.existsSync(path.join(candidate, 'pack.json'))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

function defaultStarts(): string[] {
  const starts = [process.cwd()];
  try {
    starts.push(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not a file: URL (bundled differently); the working directory is enough
  }
  return starts;
}

/**
 * Imports a content pack: every image through the same checks as an upload, then every item as published
 * (source 'pack') in one transaction. All or nothing: an invalid pack or a refused image imports no item.
 */
export async function importPack(
  dir: string,
  deps: { content: ContentService; assets: AssetService },
): Promise<PackImportResult> {
  const loaded = await loadPack(dir);
  if (!loaded.ok) {
    const lines = loaded.errors.map((e) => `${e.path}: ${e.reason}`);
    return {
      ok: false,
      error: { kind: 'pack-invalid', message: `pack ${dir} is invalid:\n  ${lines.join('\n  ')}` },
    };
  }
  const { manifest, items, assets } = loaded.value;
  for (const [sha256, asset] of assets) {
    const bytes = await fsp.readFile(asset.path);
    const stored = await deps.assets.upload(bytes, { originalName: path.basename(asset.path) });
    if (!stored.ok) {
      return {
        ok: false,
        error: { kind: 'asset-refused', message: `${asset.path}: ${stored.error.message}` },
      };
    }
    if (stored.value.sha256 !== sha256) {
      return {
        ok: false,
        error: { kind: 'asset-refused', message: `${asset.path} changed while the pack was imported` },
      };
    }
  }
  const inserted = deps.content.importPublished(items, 'pack');
  return { ok: true, value: { packId: manifest.id, items: inserted, assets: assets.size } };
}

/**
 * First start: imports the demo pack when demo seeding is on and the database holds no content yet. Problems are
 * logged, never fatal: a server without demo content is still a working server.
 */
export async function seedDemoContent(
  options: { seedDemo: boolean; packDir?: string },
  deps: { content: ContentService; assets: AssetService },
  log: Pick<Console, 'log' | 'error'> = console,
): Promise<PackImportResult | null> {
  if (!options.seedDemo || !deps.content.isEmpty()) return null;
  const dir = resolvePackDir(options.packDir);
  if (!dir) {
    const message = 'demo pack not found: set LINLI_PACK_DIR to the folder holding pack.json';
    log.error(`Linli: ${message}`);
    return { ok: false, error: { kind: 'pack-not-found', message } };
  }
  const result = await importPack(dir, deps);
  if (result.ok)
    log.log(
      `Linli: imported demo pack ${result.value.packId}: ${result.value.items} items, ${result.value.assets} images`,
    );
  else log.error(`Linli: demo pack not imported: ${result.error.message}`);
  return result;
}
