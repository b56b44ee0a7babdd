import { DeviceAlertsV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertServices } from '../alerts.services';
import { AuditService } from '../audit/audit.service';
import { createTestSignage } from '../testing/signage.fixture';
import { alertOptionsFrom, targets } from './alert.schema';
import type { AlertService } from './alert.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let alerts: AlertService;
let audit: AuditService;
const admin = { id: 'u-admin', username: 'admin' };
const clerk = { id: 'u-clerk', username: 'clerk-li' };

/** Enrols a device bound to a community, with a group and tags. */
function enroll(
  name: string,
  communityId: string | null,
  group: string | null = null,
  tags = '',
  buildingId = '',
) {
  const code = signage.devices.createPairingCode({ deviceName: name, communityId: communityId ?? '' }, admin);
  if (!code.ok) throw new Error(`code: ${code.error.message}`);
  const enrolled = signage.devices.enroll(
    { pairingCode: code.value.code, name, platform: 'linux', appVersion: '0.1.0' },
    signage.keys.publicKeyBase64,
  );
  if (!enrolled.ok) throw new Error('enrol');
  const id = enrolled.value.deviceId;
  const updated = signage.devices.update(
    id,
    { name, communityId: communityId ?? '', group: group ?? '', tags, buildingId },
    admin,
  );
  if (!updated.ok) throw new Error('update');
  return id;
}

/** Opens an event stream for a device and collects the `alert` events it receives. */
function connect(deviceId: string) {
  const received: DeviceAlertsV1[] = [];
  const close = signage.deviceEvents.subscribe({
    deviceId,
    scope: 'all',
    write: (chunk) => {
      const match = /^event: alert\ndata: (.*)\n\n$/.exec(chunk);
      if (match) received.push(DeviceAlertsV1.parse(JSON.parse(match[1] as string)));
    },
    close: () => undefined,
  });
  return { received, close, ids: () => received.at(-1)?.alerts.map((a) => a.id) ?? null };
}

const auditActions = () =>
  signage.db
    .prepare<[], { action: string; actor: string; target: string }>(
      "SELECT action, actor, target FROM audit_log WHERE action LIKE 'alert.%' ORDER BY id",
    )
    .all();
const alertCount = () => signage.db.prepare('SELECT count(*) FROM alerts').pluck().get() as number;

beforeEach(() => {
  signage = createTestSignage();
  signage.db.exec(`
    INSERT INTO communities (id, name, created_at) VALUES ('xfl', '幸福里社区', 'x'), ('hp', '和平社区', 'x');
    INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b3', 'xfl', '3', '3号楼', 18),
      ('hp-1', 'hp', '1', '1号楼', 6);
  `);
  audit = new AuditService(signage.db, signage.clock);
  ({ alerts } = createAlertServices({
    clock: signage.clock,
    db: signage.db,
    audit,
    devices: signage.devices,
    deviceEvents: signage.deviceEvents,
    options: { defaultTtlMinutes: 120 },
  }));
});
afterEach(() => {
  alerts.stop();
  signage.cleanup();
});

describe('raising and clearing in the CMS', () => {
  it('pushes a raise to every connected device of the community at once, and a clear the same way', () => {
    const lobby = connect(enroll('Lobby 1', 'xfl'));
    const gate = connect(enroll('Gate', 'xfl', 'gates'));
    const elsewhere = connect(enroll('Other community', 'hp'));
    const unbound = connect(enroll('Unbound', null));
    // each stream got its (empty) set when it opened
    expect([lobby, gate, elsewhere, unbound].map((d) => d.ids())).toEqual([[], [], [], []]);

    const raised = alerts.raise({ communityId: 'xfl', kind: 'fire' }, clerk);
    if (!raised.ok) throw new Error(raised.error.message);
    const alert = raised.value.alert;
    expect(alert).toMatchObject({
      state: 'active',
      severity: 'critical',
      title: { 'zh-CN': '火警', en: 'Fire alarm' },
      raisedBy: 'clerk-li',
      raisedAt: '2026-11-25T02:00:00.000Z',
      expiresAt: '2026-11-25T04:00:00.000Z',
    });
    expect(raised.value.pushedTo).toBe(2);
    expect(lobby.ids()).toEqual([alert.id]);
    expect(gate.ids()).toEqual([alert.id]);
    expect(elsewhere.received).toHaveLength(1);
    expect(unbound.received).toHaveLength(1);
    expect(lobby.received.at(-1)?.alerts[0]?.body['zh-CN']).toContain('切勿乘坐电梯');

    signage.clock.advance(60_000);
    const cleared = alerts.clear(alert.id, admin);
    expect(cleared.ok && cleared.value).toMatchObject({ changed: true, pushedTo: 2 });
    expect(lobby.ids()).toEqual([]);
    expect(gate.ids()).toEqual([]);
    expect(alerts.get(alert.id)).toMatchObject({
      state: 'cleared',
      clearedBy: 'admin',
      clearedAt: '2026-11-25T02:01:00.000Z',
    });
    // a second clear changes nothing and pushes nothing
    const again = alerts.clear(alert.id, admin);
    expect(again.ok && again.value).toMatchObject({ changed: false, pushedTo: 0 });
    expect(auditActions()).toEqual([
      { action: 'alert.raise', actor: 'clerk-li', target: alert.id },
      { action: 'alert.clear', actor: 'admin', target: alert.id },
    ]);
  });

  it('targets device groups and tags within the community', () => {
    const gate = enroll('Gate', 'xfl', 'gates');
    const garage = enroll('Garage', 'xfl', null, 'garage, b2');
    const lobby = enroll('Lobby', 'xfl');
    const raised = alerts.raise(
      { communityId: 'xfl', kind: 'flood', groups: 'gates', tags: 'Garage' },
      clerk,
    );
    if (!raised.ok) throw new Error(raised.error.message);
    expect(raised.value.alert.targetTags).toEqual(['garage']);
    expect(alerts.forDevice(gate).alerts).toHaveLength(1);
    expect(alerts.forDevice(garage).alerts).toHaveLength(1);
    expect(alerts.forDevice(lobby).alerts).toHaveLength(0);
    expect(alerts.forDevice('no-such-device').alerts).toHaveLength(0);
  });

  it('targets buildings of the community, and refuses a building of another one', () => {
    const lobby3 = enroll('Lobby 3', 'xfl', null, '', 'b3');
    const gate = enroll('Gate', 'xfl', 'gates');
    const elsewhere = enroll('Elsewhere', 'xfl');
    const raised = alerts.raise(
      { communityId: 'xfl', kind: 'fire', buildings: ['b3'], groups: 'gates' },
      clerk,
    );
    if (!raised.ok) throw new Error(raised.error.message);
    expect(raised.value.alert.targetBuildings).toEqual(['b3']);
    // any one match is enough: the building's lobby and the gates
    expect([lobby3, gate, elsewhere].map((id) => alerts.forDevice(id).alerts.length)).toEqual([1, 1, 0]);
    const foreign = alerts.raise({ communityId: 'xfl', kind: 'fire', buildings: 'hp-1' }, clerk);
    expect(foreign.ok ? null : foreign.error).toMatchObject({ kind: 'invalid', field: 'buildings' });
    expect(alertCount()).toBe(1);
  });

  it('sends a device its active alerts when its stream opens (restarted or offline during the raise)', () => {
    const id = enroll('Lobby', 'xfl');
    const raised = alerts.raise(
      { communityId: 'xfl', kind: 'gas', titleZh: '3号楼燃气泄漏', titleEn: 'Gas leak in building 3' },
      clerk,
    );
    if (!raised.ok) throw new Error('raise');
    const later = connect(id);
    expect(later.received).toHaveLength(1);
    expect(later.received[0]?.alerts[0]).toMatchObject({
      id: raised.value.alert.id,
      kind: 'gas',
      title: { 'zh-CN': '3号楼燃气泄漏', en: 'Gas leak in building 3' },
      body: { en: expect.stringContaining('no open flames') },
    });
  });

  it('refuses a bad form and writes nothing', () => {
    const cases = [
      [{ communityId: 'xfl', kind: 'earthquake' }, 'kind'],
      [{ communityId: 'nowhere', kind: 'fire' }, 'communityId'],
      [{ communityId: 'xfl', kind: 'fire', ttlMinutes: '0' }, 'ttlMinutes'],
      [{ communityId: 'xfl', kind: 'fire', titleZh: '火'.repeat(81) }, 'titleZh'],
    ] as const;
    for (const [form, field] of cases) {
      const result = alerts.raise(form as never, clerk);
      expect(result.ok ? null : result.error).toMatchObject({ kind: 'invalid', field });
    }
    expect(alertCount()).toBe(0);
    expect(auditActions()).toEqual([]);
  });
});

describe('expiry', () => {
  it('ends an alert nobody clears at its expiry: gone from devices, audited once, pushed', () => {
    const lobbyId = enroll('Lobby', 'xfl');
    const lobby = connect(lobbyId);
    const raised = alerts.raise({ communityId: 'xfl', kind: 'emission', ttlMinutes: '30' }, clerk);
    if (!raised.ok) throw new Error('raise');
    expect(raised.value.alert.expiresAt).toBe('2026-11-25T02:30:00.000Z');
    signage.clock.advance(29 * 60_000);
    expect(alerts.checkExpiry()).toEqual([]);
    expect(alerts.listActive()).toHaveLength(1);
    signage.clock.advance(60_000);
    expect(alerts.listActive()).toHaveLength(0);
    expect(alerts.forDevice(lobbyId).alerts).toEqual([]);
    expect(alerts.checkExpiry().map((a) => a.state)).toEqual(['expired']);
    expect(lobby.ids()).toEqual([]);
    expect(alerts.checkExpiry()).toEqual([]);
    expect(auditActions().map((a) => a.action)).toEqual(['alert.raise', 'alert.expire']);
    expect(alerts.listHistory()[0]?.state).toBe('expired');
  });

  it('reads the default lifetime from LINLI_ALERT_DEFAULT_TTL_MIN', () => {
    expect(alertOptionsFrom({})).toEqual({ defaultTtlMinutes: 120 });
    expect(alertOptionsFrom({ LINLI_ALERT_DEFAULT_TTL_MIN: '15' })).toEqual({ defaultTtlMinutes: 15 });
    expect(() => alertOptionsFrom({ LINLI_ALERT_DEFAULT_TTL_MIN: 'soon' })).toThrow(
      /LINLI_ALERT_DEFAULT_TTL_MIN/,
    );
    expect(() => alertOptionsFrom({ LINLI_ALERT_DEFAULT_TTL_MIN: '0' })).toThrow(
      /LINLI_ALERT_DEFAULT_TTL_MIN/,
    );
  });
});

describe('webhook sources', () => {
  function source(communityId = 'xfl') {
    const created = alerts.createSource({ name: '消防主机 A', communityId }, admin);
    if (!created.ok) throw new Error(created.error.message);
    return created.value;
  }

  it('issues a token once, keeps only its hash, and stops accepting it when revoked', () => {
    const { source: created, token } = source();
    expect(token).toMatch(/^lnk_alert_[A-Za-z0-9_-]{43}$/);
    const stored = signage.db.prepare('SELECT * FROM alert_sources').all();
    expect(JSON.stringify(stored)).not.toContain(token.slice(10));
    expect(alerts.authenticateSource(`Bearer ${token}`)?.id).toBe(created.id);
    for (const wrong of [
      null,
      '',
      token,
      `Bearer ${token}x`,
      // another last character (a 32-byte token's last base64url character is 'A' one time in 16)
      `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'E' : 'A'}`,
      `Basic ${token}`,
    ]) {
      expect(alerts.authenticateSource(wrong)).toBeNull();
    }
    expect(alerts.revokeSource(created.id, admin).ok).toBe(true);
    expect(alerts.authenticateSource(`Bearer ${token}`)).toBeNull();
    const again = alerts.revokeSource(created.id, admin);
    expect(again.ok ? null : again.error.kind).toBe('conflict');
    expect(auditActions().map((a) => a.action)).toEqual(['alert.source.create', 'alert.source.revoke']);
    const bad = alerts.createSource({ name: ' ', communityId: 'xfl' }, admin);
    expect(bad.ok ? null : bad.error.field).toBe('name');
  });

  it('raises once per (source, externalId), replays repeats, and clears idempotently', () => {
    const lobby = connect(enroll('Lobby', 'xfl'));
    const { source: gateway } = source();
    const other = source();
    const raise = { action: 'raise', externalId: 'zone-7/smoke', kind: 'fire' } as const;

    const first = alerts.webhook(gateway, raise);
    expect(first.ok && first.value).toMatchObject({
      state: 'active',
      replayed: false,
      created: true,
      pushedTo: 1,
    });
    const id = first.ok ? first.value.alertId : '';
    expect(lobby.ids()).toEqual([id]);
    const repeat = alerts.webhook(gateway, { ...raise, kind: 'gas' });
    expect(repeat.ok && repeat.value).toMatchObject({
      alertId: id,
      replayed: true,
      created: false,
      pushedTo: 0,
    });
    // the same external id from another source is another alarm
    const fromOther = alerts.webhook(other.source, raise);
    expect(fromOther.ok && fromOther.value.alertId).not.toBe(id);
    expect(alertCount()).toBe(2);
    expect(alerts.get(id)).toMatchObject({
      raisedBy: 'source:消防主机 A',
      externalId: 'zone-7/smoke',
      kind: 'fire',
    });

    const clear = { action: 'clear', externalId: 'zone-7/smoke' } as const;
    const cleared = alerts.webhook(gateway, clear);
    expect(cleared.ok && cleared.value).toMatchObject({ alertId: id, state: 'cleared', replayed: false });
    expect(lobby.ids()).toEqual([fromOther.ok ? fromOther.value.alertId : '']);
    const clearedAgain = alerts.webhook(gateway, clear);
    expect(clearedAgain.ok && clearedAgain.value).toMatchObject({
      state: 'cleared',
      replayed: true,
      pushedTo: 0,
    });
    // raising a cleared alarm's id again does not bring it back: that id is spent
    const reraise = alerts.webhook(gateway, raise);
    expect(reraise.ok && reraise.value).toMatchObject({ alertId: id, state: 'cleared', replayed: true });
    const unknown = alerts.webhook(gateway, { action: 'clear', externalId: 'never-raised' });
    expect(unknown.ok ? null : unknown.error.kind).toBe('not-found');
    expect(alerts.listSources().find((s) => s.id === gateway.id)?.lastUsedAt).toBe(
      '2026-11-25T02:00:00.000Z',
    );
    expect(auditActions().filter((a) => a.action === 'alert.clear')).toEqual([
      { action: 'alert.clear', actor: 'source:消防主机 A', target: id },
    ]);
  });

  it('uses the texts, severity, targets and lifetime the gateway sends', () => {
    const garage = enroll('Garage', 'xfl', null, 'garage');
    const lobby = enroll('Lobby', 'xfl');
    const { source: gateway } = source();
    const raised = alerts.webhook(gateway, {
      action: 'raise',
      externalId: 'water-1',
      kind: 'flood',
      severity: 'critical',
      title: { 'zh-CN': '地库进水' },
      target: { buildings: [], groups: [], tags: ['garage'] },
      ttlMinutes: 10,
    });
    if (!raised.ok) throw new Error('raise');
    const alert = alerts.get(raised.value.alertId);
    expect(alert).toMatchObject({
      severity: 'critical',
      title: { 'zh-CN': '地库进水', en: 'Flood warning' },
      expiresAt: '2026-11-25T02:10:00.000Z',
    });
    expect(alerts.forDevice(garage).alerts).toHaveLength(1);
    expect(alerts.forDevice(lobby).alerts).toHaveLength(0);
  });
});

describe('targets', () => {
  const alert = { communityId: 'c', targetBuildings: ['b1'], targetGroups: ['gates'], targetTags: ['b2'] };
  const all = { ...alert, targetBuildings: [], targetGroups: [], targetTags: [] };
  const device = { id: 'd', communityId: 'c', group: null, tags: [], revokedAt: null };
  it.each([
    ['whole community', all, device, true],
    ['other community', all, { ...device, communityId: 'x' }, false],
    ['no community', all, { ...device, communityId: null }, false],
    ['revoked', all, { ...device, revokedAt: 'x' }, false],
    ['in the building', alert, { ...device, buildingId: 'b1' }, true],
    ['in another building', alert, { ...device, buildingId: 'b9' }, false],
    ['in the group', alert, { ...device, group: 'gates' }, true],
    ['has the tag', alert, { ...device, tags: ['a', 'b2'] }, true],
    ['neither', alert, { ...device, group: 'lobbies', tags: ['b3'] }, false],
  ])('%s', (_, a, d, expected) => {
    expect(targets(a, d)).toBe(expected);
  });
});
