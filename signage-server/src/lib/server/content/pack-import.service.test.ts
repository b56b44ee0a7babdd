import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage, listFiles, makePng } from '../testing/signage.fixture';
import { importPack, resolvePackDir, seedDemoContent } from './pack-import.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const quiet = { log: () => {}, error: () => {} };

/** Writes a small pack: one item in two locales with one image. */
function writePack(dir: string, options: { brokenItem?: boolean } = {}): void {
  fs.mkdirSync(path.join(dir, 'items', 'legal'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'images', 'scale.png'), makePng(3, 3, [10, 120, 200]));
  fs.writeFileSync(
    path.join(dir, 'pack.json'),
    JSON.stringify({
      id: 'test-pack',
      name: { 'zh-CN': '测试', en: 'Test' },
      version: '1',
      items: ['items/legal/aid.zh-CN.md', 'items/legal/aid.en.md'],
    }),
  );
  const item = (locale: string, title: string) =>
    `---\nid: aid\ncategory: ${options.brokenItem && locale === 'en' ? 'nonsense' : 'legal'}\nlocale: ${locale}\ntitle: ${title}\nimages:\n  - file: ../../images/scale.png\n    alt: scale\n---\n\nText.\n`;
  fs.writeFileSync(path.join(dir, 'items', 'legal', 'aid.zh-CN.md'), item('zh-CN', '法律援助'));
  fs.writeFileSync(path.join(dir, 'items', 'legal', 'aid.en.md'), item('en', 'Legal aid'));
}

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('importPack', () => {
  it('stores the images and inserts every item as published from the pack, once', async () => {
    const dir = path.join(signage.dataDir, 'pack');
    writePack(dir);
    const result = await importPack(dir, signage);
    expect(result).toEqual({ ok: true, value: { packId: 'test-pack', items: 2, assets: 1 } });
    expect(signage.content.get('aid', 'en')).toMatchObject({
      status: 'published',
      source: 'pack',
      version: 1,
    });
    const manifest = signage.manifests.scope('all');
    expect(manifest.items).toHaveLength(2);
    expect(manifest.assets).toHaveLength(1);
    expect(await importPack(dir, signage)).toMatchObject({ ok: true, value: { items: 0 } });
  });

  it('imports nothing from an invalid pack and names the file at fault', async () => {
    const dir = path.join(signage.dataDir, 'pack');
    writePack(dir, { brokenItem: true });
    const result = await importPack(dir, signage);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toContain('items/legal/aid.en.md');
    expect(signage.content.isEmpty()).toBe(true);
    expect(listFiles(path.join(signage.dataDir, 'assets'))).toEqual([]);
  });
});

describe('seedDemoContent', () => {
  it('imports only into an empty database and only when demo seeding is on', async () => {
    const dir = path.join(signage.dataDir, 'pack');
    writePack(dir);
    expect(await seedDemoContent({ seedDemo: false, packDir: dir }, signage, quiet)).toBeNull();
    expect(signage.content.isEmpty()).toBe(true);
    expect(await seedDemoContent({ seedDemo: true, packDir: dir }, signage, quiet)).toMatchObject({
      ok: true,
    });
    expect(await seedDemoContent({ seedDemo: true, packDir: dir }, signage, quiet)).toBeNull();
  });

  it('imports the repository demo pack', async () => {
    const dir = resolvePackDir(undefined);
    expect(dir, 'content/packs/demo should be found from the working directory').not.toBeNull();
    const result = await seedDemoContent({ seedDemo: true }, signage, quiet);
    if (!result?.ok) throw new Error(result?.error.message ?? 'not imported');
    expect(result.value.items).toBeGreaterThanOrEqual(40);
    // the kinds the pack brings besides notices reach kiosks with their payloads
    const byId = new Map(
      signage.manifests.scope('all').items.map((item) => [`${item.id} ${item.locale}`, item]),
    );
    expect(byId.get('health-station-card zh-CN')).toMatchObject({
      kind: 'place',
      payload: { placeKind: 'clinic', phone: '010-6231-5920' },
    });
    expect(byId.get('property-service-card en')).toMatchObject({
      kind: 'provider',
      payload: { contact: '010-6231-5899', rating: null },
    });
    expect(byId.get('service-ticker zh-CN')?.kind).toBe('ticker');
    expect(byId.get('suggestions-qr en')).toMatchObject({
      kind: 'qr',
      payload: { url: 'https://xingfuli.example.org/yijian' },
    });
  });
});

describe('resolvePackDir', () => {
  it('prefers the configured folder, else walks up to content/packs/demo', () => {
    expect(resolvePackDir('/srv/pack')).toBe('/srv/pack');
    const root = path.join(signage.dataDir, 'repo');
    writePack(path.join(root, 'content', 'packs', 'demo'));
    const deep = path.join(root, 'signage-server', 'build', 'server', 'chunks');
    fs.mkdirSync(deep, { recursive: true });
    expect(resolvePackDir(undefined, [deep])).toBe(path.join(root, 'content', 'packs', 'demo'));
    expect(resolvePackDir(undefined, ['/'])).toBeNull();
  });
});
