import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishReviewed } from './content-workflow.fixture';
import { createTestSignage } from '../testing/signage.fixture';

// A kiosk's outbox sends each rating with one idempotency key, again and again until it hears an answer: the
// server must count it once, whatever happened in between.
describe('keyed provider ratings (exactly once per device and key)', () => {
  let signage: ReturnType<typeof createTestSignage>;
  beforeEach(() => {
    signage = createTestSignage();
    publishReviewed(signage.content, {
      locale: 'zh-CN',
      title: '保洁',
      id: 'cleaning',
      category: 'supervision',
      kind: 'provider',
      payload: { provider: '幸福物业', service: '楼道保洁', contact: '010-6123-4567' },
    });
  });
  afterEach(() => signage.cleanup());
  const rows = () =>
    (signage.db.prepare('SELECT count(*) AS n FROM provider_ratings').get() as { n: number }).n;

  it('stores a retried rating once and answers the retry as the first time, marked replayed', () => {
    const first = signage.ratings.rate('device-a', { itemId: 'cleaning', score: 5 }, 'rating-key-0001');
    expect(first).toEqual({ ok: true, value: { average: 5, count: 1 } });
    const again = signage.ratings.rate('device-a', { itemId: 'cleaning', score: 5 }, 'rating-key-0001');
    expect(again).toEqual({ ok: true, value: { average: 5, count: 1 }, replayed: true });
    expect(rows()).toBe(1);
    // another key, or the same key from another kiosk, is another rating
    signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }, 'rating-key-0002');
    signage.ratings.rate('device-b', { itemId: 'cleaning', score: 4 }, 'rating-key-0001');
    expect(rows()).toBe(3);
    expect(signage.ratings.rate('device-a', { itemId: 'cleaning', score: 5 }, 'rating-key-0001')).toEqual({
      ok: true,
      value: { average: 4, count: 3 },
      replayed: true,
    });
  });

  it('refuses the same key with another rating, storing nothing', () => {
    signage.ratings.rate('device-a', { itemId: 'cleaning', score: 5 }, 'rating-key-0001');
    expect(
      signage.ratings.rate('device-a', { itemId: 'cleaning', score: 1 }, 'rating-key-0001'),
    ).toMatchObject({ ok: false, error: { kind: 'idempotency-mismatch' } });
    expect(rows()).toBe(1);
  });

  it('replays a stored rating even once the device is over its rate limit', () => {
    for (let i = 0; i < 20; i++) {
      expect(
        signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }, `rating-key-${1000 + i}`).ok,
      ).toBe(true);
    }
    expect(
      signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }, 'rating-key-9999'),
    ).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited' },
    });
    expect(
      signage.ratings.rate('device-a', { itemId: 'cleaning', score: 3 }, 'rating-key-1000'),
    ).toMatchObject({
      ok: true,
      replayed: true,
    });
    expect(rows()).toBe(20);
  });
});
