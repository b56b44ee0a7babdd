import { ManifestV1, instantOfWallClock } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishReviewed } from '../content/content-workflow.fixture';
import type { ContentDraftInput } from '../content/content.schema';
import { createTestSignage } from '../testing/signage.fixture';
import { UNPLACED_SCOPE, scopeKey } from './manifest.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const admin = { id: 'u-admin', username: 'admin' };

/** Shanghai wall clock → Date. 2026-11-27 is a Friday. */
const shanghai = (day: number, hour: number, minute = 0) =>
  new Date(instantOfWallClock('Asia/Shanghai', 2026, 11, day, hour, minute));

function enroll(name: string, communityId: string | null, group = '', tags = '') {
  const code = signage.devices.createPairingCode({ deviceName: name, communityId: communityId ?? '' }, admin);
  if (!code.ok) throw new Error(code.error.message);
  const enrolled = signage.devices.enroll(
    { pairingCode: code.value.code, name, platform: 'linux', appVersion: '0.1.0' },
    signage.keys.publicKeyBase64,
  );
  if (!enrolled.ok) throw new Error('enrol');
  move(enrolled.value.deviceId, { communityId, group, tags });
  return { id: enrolled.value.deviceId, name, communityId };
}

function move(
  id: string,
  to: { communityId: string | null; group?: string; tags?: string; buildingId?: string },
) {
  const updated = signage.devices.update(
    id,
    {
      name: id,
      communityId: to.communityId ?? '',
      group: to.group ?? '',
      tags: to.tags ?? '',
      buildingId: to.buildingId ?? '',
    },
    admin,
  );
  if (!updated.ok) throw new Error(updated.error.message);
}

const publish = (id: string, over: Partial<ContentDraftInput> = {}) => {
  const result = publishReviewed(signage.content, {
    id,
    locale: 'zh-CN',
    category: 'government',
    title: id,
    ...over,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
};

const itemsOf = (device: { id: string; name: string; communityId: string | null }) =>
  ManifestV1.parse(JSON.parse(signage.manifests.forDevice(device).body.toString('utf8'))).items.map(
    (i) => i.id,
  );

beforeEach(() => {
  signage = createTestSignage();
  signage.db.exec(`
    INSERT INTO communities (id, name, time_zone, created_at) VALUES ('xingfuli', '幸福里', 'Asia/Shanghai', 'x');
    INSERT INTO communities (id, name, time_zone, created_at) VALUES ('berlin', 'Berlin', 'Europe/Berlin', 'x');
    INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b1', 'xingfuli', '1', '1号楼', 6);
    INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b2', 'xingfuli', '2', '2号楼', 6);
  `);
});
afterEach(() => signage.cleanup());

describe('manifest targeting', () => {
  it('shows each device only the items targeted at its group, tags, building and community', () => {
    const lobby = enroll('lobby', 'xingfuli', 'lobby', 'touch');
    const gate = enroll('gate', 'xingfuli', 'gate', 'outdoor, touch');
    const elsewhere = enroll('elsewhere', 'berlin');
    move(lobby.id, { communityId: 'xingfuli', group: 'lobby', tags: 'touch', buildingId: 'b1' });

    publish('everyone');
    publish('lobby-only', { target: { groups: ['Lobby'] } });
    publish('outdoor-tag', { target: { tags: ['outdoor'] } });
    publish('building-1', { target: { communities: ['xingfuli'], buildings: ['b1'] } });
    publish('xingfuli', { target: { communities: ['xingfuli'] } });

    expect(itemsOf(lobby).sort()).toEqual(['building-1', 'everyone', 'lobby-only', 'xingfuli']);
    expect(itemsOf(gate).sort()).toEqual(['everyone', 'outdoor-tag', 'xingfuli']);
    expect(itemsOf(elsewhere)).toEqual(['everyone']);
  });

  it('devices with the same placement share one scope, whatever order their tags were typed in', () => {
    const a = enroll('a', 'xingfuli', 'lobby', 'touch, portrait');
    const b = enroll('b', 'xingfuli', 'lobby', 'portrait, touch');
    const c = enroll('c', null);
    expect(signage.manifests.scopeOf(a)).toBe(signage.manifests.scopeOf(b));
    expect(signage.manifests.scopeOf(c)).toBe(UNPLACED_SCOPE);
    expect(scopeKey({ communityId: null, buildingId: null, groups: ['x'], tags: [] })).not.toBe(
      UNPLACED_SCOPE,
    );
    publish('n');
    // one resolution, shared: the second device gets its bytes from the same scope version
    expect(signage.manifests.forDevice(a).version).toBe(signage.manifests.forDevice(b).version);
  });

  it('moving a device to another group moves it to that scope at once and pushes manifest-changed', () => {
    const a = enroll('a', 'xingfuli', 'group-a');
    const b = enroll('b', 'xingfuli', 'group-b');
    publish('for-a', { target: { groups: ['group-a'] } });
    expect(itemsOf(a)).toEqual(['for-a']);
    expect(itemsOf(b)).toEqual([]);

    const pushed: string[] = [];
    signage.deviceEvents.subscribe({
      deviceId: b.id,
      scope: signage.manifests.scopeOf(b),
      write: (chunk) => pushed.push(chunk),
      close: () => {},
    });
    const etagBefore = signage.manifests.forDevice(b).etag;
    move(b.id, { communityId: 'xingfuli', group: 'group-a' });
    const after = signage.manifests.forDevice(b);
    expect(after.etag).not.toBe(etagBefore);
    expect(itemsOf(b)).toEqual(['for-a']);
    expect(pushed).toEqual([
      `event: manifest-changed\ndata: ${JSON.stringify({ version: after.version })}\n\n`,
    ]);

    // the stream now follows group-a: an edit to group-a content reaches it
    publish('for-a', { title: 'changed' });
    expect(pushed).toHaveLength(2);
  });

  it('a daypart across midnight plays in the community time zone and the timer flips it on time', () => {
    const lobby = enroll('lobby', 'xingfuli', 'lobby');
    const berlin = enroll('berlin', 'berlin', 'lobby');
    signage.clock.set(shanghai(27, 21)); // Friday 21:00 in Shanghai
    publish('night', { dayparts: [{ days: [5], start: '22:00', end: '02:00' }] });

    expect(itemsOf(lobby)).toEqual([]);
    const scope = signage.manifests.scope(signage.manifests.scopeOf(lobby));
    expect(scope.recomputeAt).toBe(shanghai(27, 22).getTime());
    const heard: string[] = [];
    signage.manifests.onChange((changed) => heard.push(changed));

    signage.clock.set(shanghai(27, 22));
    signage.manifests.checkBoundaries();
    expect(heard).toContain(signage.manifests.scopeOf(lobby));
    expect(itemsOf(lobby)).toEqual(['night']);
    // Saturday 01:59 still plays, 02:00 no more
    signage.clock.set(shanghai(28, 1, 59));
    expect(itemsOf(lobby)).toEqual(['night']);
    signage.clock.set(shanghai(28, 2));
    expect(itemsOf(lobby)).toEqual([]);

    // Berlin's Friday 22:00 is Saturday 05:00 in Shanghai
    signage.clock.set(shanghai(28, 4, 59));
    expect(itemsOf(berlin)).toEqual([]);
    signage.clock.set(shanghai(28, 5));
    expect(itemsOf(berlin)).toEqual(['night']);
  });

  it('orders by priority, then newest change', () => {
    const lobby = enroll('lobby', 'xingfuli');
    publish('low', { priority: 10 });
    signage.clock.advance(1000);
    publish('high', { priority: 90 });
    signage.clock.advance(1000);
    publish('middle');
    signage.clock.advance(1000);
    publish('middle-newer');
    expect(itemsOf(lobby)).toEqual(['high', 'middle-newer', 'middle', 'low']);
  });
});

describe('device placement', () => {
  it('refuses a building outside the device community and changes nothing', () => {
    const device = enroll('lobby', 'xingfuli', 'lobby');
    const refused = signage.devices.update(
      device.id,
      { name: 'lobby', communityId: 'berlin', group: 'lobby', tags: '', buildingId: 'b1' },
      admin,
    );
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'buildingId' } });
    const noCommunity = signage.devices.update(
      device.id,
      { name: 'lobby', communityId: '', group: 'lobby', tags: '', buildingId: 'b1' },
      admin,
    );
    expect(noCommunity.ok).toBe(false);
    expect(signage.devices.list().find((d) => d.id === device.id)).toMatchObject({
      communityId: 'xingfuli',
      buildingId: null,
    });
    move(device.id, { communityId: 'xingfuli', group: 'lobby', buildingId: 'b2' });
    expect(signage.devices.list().find((d) => d.id === device.id)?.buildingId).toBe('b2');
  });
});
