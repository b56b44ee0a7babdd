import { describe, expect, it } from 'vitest';
import { ManifestV1 } from '@linli/content';
import { buildSnapshot } from './content.service';
import { fixtureItem } from './testing/fixture-content';

const sha = 'b'.repeat(64);
const notice = { id: 'notice', category: 'government' } as const;
const manifest = (items: unknown[]) =>
  ManifestV1.parse({
    schema: 'linli.manifest.v1',
    deviceId: 'dev-1',
    version: 'v1',
    generatedAt: '2026-11-20T00:00:00.000Z',
    items,
    assets: [{ sha256: sha, size: 3, mime: 'image/png' }],
  });
const template = 'http://127.0.0.1:1/assets/{sha256}?token=t';

describe('buildSnapshot', () => {
  it('groups translations by id, renders Markdown and keeps asset references for the renderer', () => {
    const { snapshot } = buildSnapshot(
      manifest([
        fixtureItem(notice, 'zh-CN', {
          title: '通知',
          summary: '摘要',
          body: `**重要**\n\n![图](asset:${sha})`,
        }),
        fixtureItem(notice, 'en', { title: 'Notice', summary: 'Summary', body: '<script>alert(1)</script>' }),
      ]),
      new Date('2026-11-21T00:00:00.000Z'),
      template,
    );
    expect(snapshot.items).toHaveLength(1);
    const item = snapshot.items[0]!;
    expect(item.translations['zh-CN']?.bodyHtml).toContain('<strong>重要</strong>');
    expect(item.translations['zh-CN']?.bodyHtml).toContain(`src="asset:${sha}"`);
    expect(item.translations.en?.bodyHtml).not.toContain('<script>');
    expect(snapshot.assetUrlTemplate).toBe(template);
  });

  it("lists the editor's higher priority first, the newest first among equals; old manifests are all equal", () => {
    const item = (id: string, updatedAt: string, priority?: number) => ({
      ...fixtureItem({ ...notice, id }, 'zh-CN', { title: id, summary: '', body: '' }),
      updatedAt,
      ...(priority === undefined ? {} : { priority }),
    });
    const at = new Date('2026-11-21T00:00:00.000Z');
    const ids = (items: unknown[]) =>
      buildSnapshot(manifest(items), at, template).snapshot.items.map((i) => i.id);
    expect(
      ids([
        item('new', '2026-11-20T00:00:00.000Z', 50),
        item('urgent-old', '2026-11-01T00:00:00.000Z', 90),
        item('newer', '2026-11-20T06:00:00.000Z', 50),
        item('filler', '2026-11-20T12:00:00.000Z', 10),
      ]),
    ).toEqual(['urgent-old', 'newer', 'new', 'filler']);
    // a manifest from a server before priorities: newest first, as always
    expect(ids([item('a', '2026-11-01T00:00:00.000Z'), item('b', '2026-11-02T00:00:00.000Z')])).toEqual([
      'b',
      'a',
    ]);
  });

  it("follows the items' dayparts in the manifest's time zone, offline too, and says when the next one ends", () => {
    // Thursday 2026-11-26; weekdays 08:00-12:00 and Friday 22:00-02:00 (across midnight)
    const items = [
      {
        ...fixtureItem({ ...notice, id: 'morning' }, 'zh-CN', { title: '上午', summary: '', body: '' }),
        dayparts: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '12:00' }],
      },
      {
        ...fixtureItem({ ...notice, id: 'late' }, 'zh-CN', { title: '深夜', summary: '', body: '' }),
        dayparts: [{ days: [5], start: '22:00', end: '02:00' }],
      },
      fixtureItem({ ...notice, id: 'always' }, 'zh-CN', { title: '全天', summary: '', body: '' }),
    ];
    const at = (iso: string, timeZone?: string) => {
      const parsed = manifest(items);
      return buildSnapshot(timeZone ? { ...parsed, timeZone } : parsed, new Date(iso), template);
    };
    const ids = (result: ReturnType<typeof at>) => result.snapshot.items.map((i) => i.id).sort();
    // 11:00 in Shanghai (UTC+8)
    const morning = at('2026-11-26T03:00:00.000Z');
    expect(ids(morning)).toEqual(['always', 'morning']);
    expect(morning.nextChangeAt?.toISOString()).toBe('2026-11-26T04:00:00.000Z');
    // 12:30: the morning notice has left the screen without any new manifest
    expect(ids(at('2026-11-26T04:30:00.000Z'))).toEqual(['always']);
    // Saturday 01:00 in Shanghai: still Friday night's slot
    expect(ids(at('2026-11-27T17:00:00.000Z'))).toEqual(['always', 'late']);
    // the same instant (03:00Z) is 04:00 in Berlin: before the morning slot there
    expect(ids(at('2026-11-26T03:00:00.000Z', 'Europe/Berlin'))).toEqual(['always']);
  });

  it('refuses a manifest whose time zone the runtime does not know', () => {
    expect(() => ManifestV1.parse({ ...manifest([]), timeZone: 'Mars/Olympus_Mons' })).toThrow(
      /IANA time zone/,
    );
  });

  it('shows only items inside their validity window and says when that changes next', () => {
    const items = [
      {
        ...fixtureItem({ ...notice, id: 'past' }, 'zh-CN', { title: '过期', summary: '', body: '' }),
        validUntil: '2026-11-20T00:00:00.000Z',
      },
      {
        ...fixtureItem({ ...notice, id: 'now' }, 'zh-CN', { title: '现在', summary: '', body: '' }),
        validUntil: '2026-11-25T00:00:00.000Z',
      },
      {
        ...fixtureItem({ ...notice, id: 'soon' }, 'zh-CN', { title: '将来', summary: '', body: '' }),
        validFrom: '2026-11-22T00:00:00.000Z',
      },
    ];
    const at = (iso: string) => buildSnapshot(manifest(items), new Date(iso), template);
    const today = at('2026-11-21T00:00:00.000Z');
    expect(today.snapshot.items.map((i) => i.id)).toEqual(['now']);
    expect(today.nextChangeAt?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    const later = at('2026-11-23T00:00:00.000Z');
    expect(later.snapshot.items.map((i) => i.id)).toEqual(['soon', 'now']);
    expect(later.nextChangeAt?.toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });

  it('is empty before the first manifest', () => {
    expect(buildSnapshot(null, new Date(), template)).toEqual({
      snapshot: { manifestVersion: null, items: [], assetUrlTemplate: template },
      nextChangeAt: null,
    });
  });
});
