import { describe, expect, it } from 'vitest';
import { ContentItem } from './content-item.schema';
import {
  HttpUrl,
  parseKindPayload,
  payloadAssetRefs,
  PhoneNumber,
  type ContentKind,
} from './content-kind.schema';
import { ManifestV1 } from './protocol/manifest.schema';

const SHA = 'a'.repeat(64);
const POSTER = 'b'.repeat(64);

const base = {
  id: 'item',
  category: 'guide',
  locale: 'zh-CN',
  title: '标题',
  version: 1,
  updatedAt: '2026-11-26T00:00:00.000Z',
};

describe('content kinds', () => {
  it('reads an item without a kind as a notice without attachments (old items, packs, manifests)', () => {
    const item = ContentItem.parse(base);
    expect(item.kind).toBe('notice');
    expect(item.payload).toEqual({});
    expect(parseKindPayload(item.kind, item.payload)).toMatchObject({
      success: true,
      data: { kind: 'notice', payload: { attachments: [] } },
    });
  });

  it.each<[ContentKind, unknown]>([
    ['image', { image: SHA, alt: '图' }],
    ['video', { video: SHA, poster: POSTER }],
    ['pdf', { pdf: SHA }],
    ['ticker', { lines: ['停水通知：明日 9:00–12:00'] }],
    ['qr', { url: 'https://example.org/form?a=1&b=2', label: '报名' }],
    ['place', { name: '社区卫生服务站', placeKind: 'clinic', phone: '010-6123-4567', map: SHA }],
    ['provider', { provider: '幸福物业', service: '保洁', contact: '+86 138 0013 8000', licence: 'A-1' }],
  ])('accepts a valid %s payload', (kind, payload) => {
    expect(ContentItem.safeParse({ ...base, kind, payload }).success).toBe(true);
  });

  it.each<[ContentKind, unknown, string]>([
    ['image', {}, 'payload.image'],
    ['image', { image: SHA, onload: 'x' }, 'payload'],
    ['video', { video: 'not-a-hash' }, 'payload.video'],
    ['ticker', { lines: [] }, 'payload.lines'],
    ['ticker', { lines: ['two\nlines'] }, 'payload.lines.0'],
    ['qr', { url: 'javascript:alert(1)' }, 'payload.url'],
    ['qr', { url: 'data:text/html,<script>alert(1)</script>' }, 'payload.url'],
    ['qr', { url: 'https://user:pw@example.org/' }, 'payload.url'],
    ['place', { name: '店', placeKind: 'casino' }, 'payload.placeKind'],
    ['place', { name: '店', placeKind: 'shop', phone: 'call me' }, 'payload.phone'],
    ['provider', { provider: 'P', service: 'S', contact: '<img src=x onerror=alert(1)>' }, 'payload.contact'],
  ])('refuses a bad %s payload at the field (%j)', (kind, payload, path) => {
    const parsed = ContentItem.safeParse({ ...base, kind, payload });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it.each([
    ['https://example.org', true],
    ['HTTP://EXAMPLE.ORG/a', true],
    ['javascript:alert(1)', false],
    [' jav\tascript:alert(1)', false],
    ['//example.org', false],
    ['https://exa mple.org', false],
    ['https://example.org/"onmouseover="x', false],
    ['ftp://example.org', false],
  ])('HttpUrl %s → %s', (url, ok) => {
    expect(HttpUrl.safeParse(url).success).toBe(ok);
  });

  it.each([
    ['110', true],
    ['12348', true],
    ['010-6123-4567', true],
    ['010-6123-4567 转 802', true],
    ['+86 138 0013 8000', true],
    ['tel:110', false],
    ['12', false],
    ['010-6123-4567; drop table', false],
  ])('PhoneNumber %s → %s', (phone, ok) => {
    expect(PhoneNumber.safeParse(phone).success).toBe(ok);
  });

  it('names every asset of a payload, and a manifest must list them', () => {
    const parsed = parseKindPayload('video', { video: SHA, poster: POSTER });
    expect(parsed.success && payloadAssetRefs(parsed.data)).toEqual([SHA, POSTER]);
    const manifest = {
      schema: 'linli.manifest.v1',
      deviceId: 'd',
      version: 'v',
      generatedAt: '2026-11-26T00:00:00.000Z',
      items: [{ ...base, kind: 'video', payload: { video: SHA, poster: POSTER } }],
      assets: [{ sha256: SHA, size: 10, mime: 'video/mp4' }],
    };
    expect(ManifestV1.safeParse(manifest).success).toBe(false);
    manifest.assets.push({ sha256: POSTER, size: 5, mime: 'image/png' });
    expect(ManifestV1.safeParse(manifest).success).toBe(true);
  });
});
