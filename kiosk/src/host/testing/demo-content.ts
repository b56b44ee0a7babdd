import { readFile } from 'node:fs/promises';
import { loadPack } from '@linli/content/node';
import type { FakeSignageServer } from './fake-signage-server';
import { publishFixtureContent } from './fixture-content';

/**
 * Publishes a content pack (e.g. content/packs/demo) on the fake server; falls back to the small fixture set
 * when the pack does not load, so a demo or a screenshot run never starts empty.
 */
export async function publishPackOrFixtures(
  server: FakeSignageServer,
  packDir: string,
): Promise<'pack' | 'fixtures'> {
  const loaded = await loadPack(packDir);
  if (!loaded.ok) {
    publishFixtureContent(server);
    return 'fixtures';
  }
  for (const asset of loaded.value.assets.values()) server.addAsset(await readFile(asset.path), asset.mime);
  server.publish(...loaded.value.items);
  return 'pack';
}
