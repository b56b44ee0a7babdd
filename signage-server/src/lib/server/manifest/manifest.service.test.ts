import crypto from 'node:crypto';
import { ManifestV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentDraftInput } from '../content/content.schema';
import { TEST_EDITOR, publishReviewed } from '../content/content-workflow.fixture';
import { createTestSignage, makePng } from '../testing/signage.fixture';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const editor = TEST_EDITOR;
const deviceA = { id: 'device-a', name: 'A', communityId: null };
const deviceB = { id: 'device-b', name: 'B', communityId: null };
const publish = (over: Partial<ContentDraftInput>) =>
  publishReviewed(signage.content, {
    id: 'notice',
    locale: 'zh-CN',
    category: 'government',
    title: '通知',
    ...over,
  });
const parse = (bytes: Buffer) => ManifestV1.parse(JSON.parse(bytes.toString('utf8')));

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('ManifestService', () => {
  it('lists published, currently valid items of both locales with every referenced asset', async () => {
    const hero = await signage.assets.upload(makePng(2, 2, [1, 2, 3]));
    const inline = await signage.assets.upload(makePng(2, 2, [4, 5, 6]));
    if (!hero.ok || !inline.ok) throw new Error('upload');
    publish({
      images: [{ sha256: hero.value.sha256, alt: '图' }],
      body: `![x](asset:${inline.value.sha256})`,
    });
    publish({ locale: 'en', title: 'Notice' });
    signage.content.save({ id: 'draft', locale: 'zh-CN', category: 'legal', title: '草稿' }, editor, {
      mode: 'draft',
      create: true,
    });
    publish({ id: 'old', validUntil: '2026-11-01T00:00:00.000Z' });
    publish({ id: 'future', validFrom: '2026-12-01T00:00:00.000Z' });

    const manifest = parse(signage.manifests.forDevice(deviceA).body);
    expect(manifest.deviceId).toBe('device-a');
    expect(manifest.items.map((i) => `${i.id}/${i.locale}`).sort()).toEqual(['notice/en', 'notice/zh-CN']);
    expect(manifest.assets.map((a) => a.sha256).sort()).toEqual(
      [hero.value.sha256, inline.value.sha256].sort(),
    );
    expect(manifest.assets.every((a) => a.mime === 'image/png' && a.size > 0)).toBe(true);
  });

  it('leaves out an item whose payload file is gone, so the manifest stays valid for every screen', async () => {
    const map = await signage.assets.upload(makePng(4, 4, [10, 120, 40]));
    const photo = await signage.assets.upload(makePng(3, 3, [1, 1, 1]));
    if (!map.ok || !photo.ok) throw new Error('upload');
    publish({
      id: 'clinic',
      kind: 'place',
      payload: { name: '卫生站', placeKind: 'clinic', map: map.value.sha256 },
    });
    publish({ id: 'notice', images: [{ sha256: photo.value.sha256, alt: '' }] });
    expect(
      parse(signage.manifests.forDevice(deviceA).body)
        .items.map((i) => i.id)
        .sort(),
    ).toEqual(['clinic', 'notice']);
    // removed behind the CMS's back (the library refuses to delete a file in use)
    signage.db.prepare('DELETE FROM assets WHERE sha256 = ?').run(map.value.sha256);
    signage.db.prepare('DELETE FROM assets WHERE sha256 = ?').run(photo.value.sha256);
    signage.manifests.invalidate();
    const manifest = parse(signage.manifests.forDevice(deviceA).body);
    expect(manifest.items.map((i) => i.id)).toEqual(['notice']);
    expect(manifest.items[0]!.images).toEqual([]);
    expect(manifest.assets).toEqual([]);
  });

  it("carries each item's dayparts and the community's time zone, so kiosks keep the schedule offline", () => {
    signage.clock.set(new Date('2026-11-26T02:00:00.000Z')); // Thursday 10:00 in Shanghai
    publish({ id: 'morning', dayparts: [{ days: [4], start: '08:00', end: '12:00' }] });
    const manifest = parse(signage.manifests.forDevice(deviceA).body);
    expect(manifest.timeZone).toBe('Asia/Shanghai');
    expect(manifest.items.find((i) => i.id === 'morning')?.dayparts).toEqual([
      { days: [4], start: '08:00', end: '12:00' },
    ]);
  });

  it('signs the exact body bytes with the key kiosks pin at enrolment', () => {
    publish({});
    const signed = signage.manifests.forDevice(deviceA);
    const publicKey = crypto.createPublicKey({
      key: Buffer.from(signage.keys.publicKeyBase64, 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(crypto.verify(null, signed.body, publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    const tampered = Buffer.from(signed.body);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(crypto.verify(null, tampered, publicKey, Buffer.from(signed.signature, 'base64'))).toBe(false);
  });

  it('keeps the version for equal content and changes it with published content', () => {
    publish({});
    const v1 = signage.manifests.forDevice(deviceA).version;
    expect(signage.manifests.forDevice(deviceB).version).toBe(v1);
    expect(signage.manifests.forDevice(deviceA)).toBe(signage.manifests.forDevice(deviceA)); // cached bytes
    signage.manifests.invalidate();
    expect(signage.manifests.forDevice(deviceA).version).toBe(v1);

    const heard: string[] = [];
    signage.manifests.onChange((_scope, version) => heard.push(version));
    publish({ title: '通知（更新）' });
    const v2 = signage.manifests.forDevice(deviceA).version;
    expect(v2).not.toBe(v1);
    signage.content.archive('notice', 'zh-CN', editor);
    const v3 = signage.manifests.forDevice(deviceA).version;
    expect(heard).toEqual([v2, v3]);
    expect(parse(signage.manifests.forDevice(deviceA).body).items).toEqual([]);
  });

  it('recomputes at the next validity boundary and tells listeners', () => {
    publish({ id: 'soon', validFrom: '2026-11-25T03:00:00.000Z', validUntil: '2026-11-25T04:00:00.000Z' });
    const scope = signage.manifests.scope('all');
    expect(scope.items).toEqual([]);
    expect(scope.recomputeAt).toBe(Date.parse('2026-11-25T03:00:00.000Z'));
    const heard: string[] = [];
    signage.manifests.onChange((_scope, version) => heard.push(version));

    signage.clock.set(new Date('2026-11-25T03:00:00.000Z'));
    signage.manifests.checkBoundaries();
    const during = signage.manifests.scope('all');
    expect(during.items.map((i) => i.id)).toEqual(['soon']);
    expect(during.recomputeAt).toBe(Date.parse('2026-11-25T04:00:00.000Z'));
    expect(heard).toEqual([during.version]);

    // a request after the boundary sees the new content even before the timer fires
    signage.clock.set(new Date('2026-11-25T04:00:00.000Z'));
    expect(parse(signage.manifests.forDevice(deviceA).body).items).toEqual([]);
    expect(signage.manifests.scope('all').recomputeAt).toBeNull();
  });
});
