import { ManifestV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contentFieldErrors,
  draftFromValues,
  emptyValues,
  readContentForm,
  valuesFromRecord,
} from './content-form';
import { publishReviewed, TEST_EDITOR } from './content-workflow.fixture';
import { createTestSignage, makePng } from '../testing/signage.fixture';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

const device = { id: 'device-a', name: 'A', communityId: null };
const manifest = () =>
  ManifestV1.parse(JSON.parse(signage.manifests.forDevice(device).body.toString('utf8')));
const base = { locale: 'zh-CN' as const, category: 'guide' as const, title: '标题' };

describe('content kinds on the server', () => {
  it('stores a kind and its normalised payload, and the manifest carries them with the payload assets', async () => {
    const map = await signage.assets.upload(makePng(4, 4, [10, 120, 40]));
    if (!map.ok) throw new Error('upload');
    const saved = publishReviewed(signage.content, {
      ...base,
      id: 'clinic',
      kind: 'place',
      payload: {
        name: '  社区卫生服务站 ',
        placeKind: 'clinic',
        phone: '010-6123-4567',
        map: map.value.sha256,
      },
    });
    expect(saved.ok).toBe(true);
    const stored = signage.content.get('clinic', 'zh-CN')!;
    expect(stored.kind).toBe('place');
    expect(stored.payload).toEqual({
      name: '社区卫生服务站',
      placeKind: 'clinic',
      hours: '',
      phone: '010-6123-4567',
      address: '',
      map: map.value.sha256,
    });
    const item = manifest().items.find((i) => i.id === 'clinic')!;
    expect(item.kind).toBe('place');
    expect(manifest().assets.map((a) => a.sha256)).toContain(map.value.sha256);
  });

  it('refuses a bad payload field by field and writes nothing', () => {
    const result = signage.content.save(
      { ...base, id: 'qr', kind: 'qr', payload: { url: 'javascript:alert(1)' } },
      TEST_EDITOR,
      { mode: 'draft', create: true },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(contentFieldErrors(result.error)).toEqual({ 'payload.url': { key: 'content.error.httpUrl' } });
    expect(signage.content.get('qr', 'zh-CN')).toBeNull();
  });

  it('says which field is missing or too long, with the message keys the CMS shows', () => {
    const result = signage.content.save(
      {
        ...base,
        id: 'place',
        kind: 'place',
        payload: { name: '', placeKind: 'shop', hours: 'x'.repeat(201) },
      },
      TEST_EDITOR,
      { mode: 'draft', create: true },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(contentFieldErrors(result.error)).toEqual({
      'payload.name': { key: 'validation.required' },
      'payload.hours': { key: 'cms.error.tooLong', params: { max: 200 } },
    });
  });

  it('refuses a payload naming a file that is not stored', () => {
    const result = signage.content.save(
      { ...base, id: 'video', kind: 'video', payload: { video: 'c'.repeat(64) } },
      TEST_EDITOR,
      { mode: 'draft', create: true },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(contentFieldErrors(result.error)).toEqual({
        'payload.video': { key: 'cms.error.unknownAsset' },
      });
    }
  });

  it('reads the kind fields of a plain form post, only those of the chosen kind', () => {
    const form = new FormData();
    for (const [name, value] of Object.entries({
      id: 'ticker',
      locale: 'zh-CN',
      category: 'government',
      title: '停水',
      kind: 'ticker',
      'kf.ticker.lines': '明日停水\r\n\r\n请提前储水 ',
      'kf.qr.url': 'javascript:ignored-because-not-chosen',
    }))
      form.set(name, value);
    const values = readContentForm(form);
    const draft = draftFromValues(values);
    expect(draft.ok && draft.input.kind).toBe('ticker');
    expect(draft.ok && draft.input.payload).toEqual({ lines: ['明日停水', '请提前储水'] });
    const saved = signage.content.save(draft.ok ? draft.input : { ...base, id: 'x' }, TEST_EDITOR, {
      mode: 'draft',
      create: true,
    });
    expect(saved.ok).toBe(true);
    // and back into the form as typed
    expect(valuesFromRecord(signage.content.get('ticker', 'zh-CN')!).kind).toEqual({
      kind: 'ticker',
      fields: { 'ticker.lines': '明日停水\n请提前储水' },
    });
    expect(emptyValues().kind.kind).toBe('notice');
  });
});

describe('provider ratings', () => {
  const provider = () =>
    publishReviewed(signage.content, {
      ...base,
      id: 'cleaning',
      category: 'supervision',
      kind: 'provider',
      payload: { provider: '幸福物业', service: '楼道保洁', contact: '010-6123-4567' },
    });

  it('stores ratings of a published provider card and puts the average and count in the manifest', () => {
    provider();
    expect(manifest().items[0]!.payload).toMatchObject({ rating: null });
    const before = manifest().version;
    expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 5 })).toEqual({
      ok: true,
      value: { average: 5, count: 1 },
    });
    signage.ratings.rate('device-b', { itemId: 'cleaning', score: 4 });
    expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 4 })).toEqual({
      ok: true,
      value: { average: 4.3, count: 3 },
    });
    const after = manifest();
    expect(after.version).not.toBe(before);
    expect(after.items[0]!.payload).toMatchObject({ rating: { average: 4.3, count: 3 } });
    // an editor's save never stores a rating in the payload
    expect(signage.content.get('cleaning', 'zh-CN')!.payload).not.toHaveProperty('rating');
  });

  it('refuses a rating of anything but a published provider card', () => {
    publishReviewed(signage.content, { ...base, id: 'notice' });
    expect(signage.ratings.rate('d', { itemId: 'notice', score: 3 })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(signage.ratings.rate('d', { itemId: 'missing', score: 3 })).toMatchObject({ ok: false });
  });

  it('limits each device to 20 ratings per 10 minutes, counted in the database', () => {
    provider();
    for (let i = 0; i < 20; i++) {
      expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }).ok).toBe(true);
    }
    expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 })).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited' },
    });
    expect(signage.ratings.rate('device-b', { itemId: 'cleaning', score: 3 }).ok).toBe(true);
    signage.clock.advance(10 * 60_000 + 1);
    expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }).ok).toBe(true);
  });
});
