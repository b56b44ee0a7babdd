import { describe, expect, it } from 'vitest';
import { ManifestV1 } from './manifest.schema';
import { DeviceStatsBatchV1, PlaylistEntryV1 } from './signage.schema';

const sha = (c: string) => c.repeat(64);
const base = {
  schema: 'linli.manifest.v1',
  deviceId: 'd1',
  version: 'v1',
  generatedAt: '2026-11-25T02:00:00.000Z',
  items: [
    {
      id: 'n1',
      category: 'government',
      locale: 'zh-CN',
      title: '通知',
      summary: '',
      body: '',
      images: [],
      validFrom: null,
      validUntil: null,
      version: 1,
      updatedAt: '2026-11-25T02:00:00.000Z',
    },
  ],
  assets: [{ sha256: sha('a'), size: 10, mime: 'image/png' }],
};
const layout = {
  id: 'l',
  name: '大堂',
  template: 'main-ticker',
  zones: { main: 'p' },
  timeZone: 'Asia/Shanghai',
};
const entry = (over: object) => ({
  itemId: null,
  assetSha256: null,
  durationSeconds: 8,
  transition: 'fade',
  ...over,
});

describe('signage in the manifest', () => {
  it('parses a manifest without a layout (what older servers send)', () => {
    expect(ManifestV1.parse(base).layout).toBeUndefined();
  });

  it('accepts playlists whose entries name listed items and assets, and refuses others', () => {
    const manifest = (entries: object[]) => ({
      ...base,
      layout,
      playlists: [{ id: 'p', name: '主区', entries }],
    });
    expect(
      ManifestV1.safeParse(manifest([entry({ itemId: 'n1' }), entry({ assetSha256: sha('a') })])).success,
    ).toBe(true);
    const unknownItem = ManifestV1.safeParse(manifest([entry({ itemId: 'ghost' })]));
    expect(unknownItem.success).toBe(false);
    expect(unknownItem.error?.issues[0]?.path).toEqual(['playlists', 0, 'entries', 0, 'itemId']);
    expect(ManifestV1.safeParse(manifest([entry({ assetSha256: sha('b') })])).success).toBe(false);
  });

  it.each([
    ['neither item nor asset', entry({})],
    ['both', entry({ itemId: 'n1', assetSha256: sha('a') })],
    ['too short', entry({ itemId: 'n1', durationSeconds: 1 })],
    ['an unknown transition', entry({ itemId: 'n1', transition: 'zoom' })],
  ])('refuses an entry with %s', (_name, value) => {
    expect(PlaylistEntryV1.safeParse(value).success).toBe(false);
  });

  it('refuses an empty stats batch and one over the record limit', () => {
    const play = {
      itemId: 'n1',
      assetSha256: null,
      zone: 'main',
      startedAt: '2026-11-25T02:00:00.000Z',
      durationMs: 1,
    };
    const batchId = '6f1c1d2e-7a5b-4c3d-9e8f-0a1b2c3d4e5f';
    expect(DeviceStatsBatchV1.safeParse({ batchId, plays: [play], touches: [] }).success).toBe(true);
    expect(DeviceStatsBatchV1.safeParse({ batchId, plays: [], touches: [] }).success).toBe(false);
    expect(DeviceStatsBatchV1.safeParse({ batchId, plays: Array(501).fill(play), touches: [] }).success).toBe(
      false,
    );
  });
});
