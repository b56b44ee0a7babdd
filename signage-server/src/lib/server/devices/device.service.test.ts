import crypto from 'node:crypto';
import { PairingCode } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage } from '../testing/signage.fixture';
import { DeviceRepository } from './device.repository';
import { DeviceService, LAST_SEEN_WRITE_INTERVAL_MS } from './device.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const admin = { id: 'u-admin', username: 'admin' };
const enrollment = (pairingCode: string) => ({
  pairingCode,
  name: 'Lobby A',
  platform: 'linux',
  appVersion: '0.1.0',
});

function newCode(): string {
  const issued = signage.devices.createPairingCode({}, admin);
  if (!issued.ok) throw new Error(issued.error.message);
  return issued.value.code;
}
function enroll(code: string) {
  return signage.devices.enroll(enrollment(code), signage.keys.publicKeyBase64);
}

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('pairing codes', () => {
  it('are 8 characters of the protocol alphabet, stored only as sha256, valid for 15 minutes', () => {
    const issued = signage.devices.createPairingCode({ deviceName: '  ' }, admin);
    if (!issued.ok) throw new Error('issue');
    expect(PairingCode.parse(issued.value.code)).toBe(issued.value.code);
    expect(issued.value.deviceName).toBeNull();
    const rows = signage.db.prepare('SELECT * FROM pairing_codes').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(issued.value.code);
    expect(rows[0]?.code_hash).toBe(crypto.createHash('sha256').update(issued.value.code).digest('hex'));
    expect(Date.parse(issued.value.expiresAt) - signage.clock.now().getTime()).toBe(15 * 60 * 1000);
  });

  it('refuse an unknown community', () => {
    expect(signage.devices.createPairingCode({ communityId: 'nowhere' }, admin)).toMatchObject({
      ok: false,
      error: { kind: 'invalid', field: 'communityId' },
    });
  });
});

describe('enrol', () => {
  it('exchanges a good code for a credential whose sha256 alone is stored', () => {
    const result = enroll(newCode());
    if (!result.ok) throw new Error(result.error.message);
    const { deviceId, credential, serverPublicKey } = result.value;
    expect(credential.startsWith(`${deviceId}.`)).toBe(true);
    expect(serverPublicKey).toBe(signage.keys.publicKeyBase64);
    const row = signage.db.prepare('SELECT * FROM devices WHERE id = ?').get(deviceId) as Record<
      string,
      unknown
    >;
    expect(row.credential_hash).toBe(crypto.createHash('sha256').update(credential).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(credential.split('.')[1]);
    expect(row.name).toBe('Lobby A');
    expect(signage.devices.authenticate(`Bearer ${credential}`)?.id).toBe(deviceId);
  });

  it('refuses a used code, an expired code and an unknown code alike, creating no device', () => {
    const code = newCode();
    expect(enroll(code).ok).toBe(true);
    expect(enroll(code)).toMatchObject({ ok: false, error: { kind: 'pairing-code-invalid' } });

    const late = newCode();
    signage.clock.advance(15 * 60 * 1000);
    expect(enroll(late)).toMatchObject({ ok: false, error: { kind: 'pairing-code-invalid' } });
    expect(enroll('ABCDEFGH')).toMatchObject({ ok: false, error: { kind: 'pairing-code-invalid' } });
    expect(signage.devices.list()).toHaveLength(1);
  });

  it('uses the device name and community the code was bound to', () => {
    signage.db
      .prepare(
        `INSERT INTO communities (id, name, created_at) VALUES ('c1', '幸福小区', '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    const issued = signage.devices.createPairingCode({ communityId: 'c1', deviceName: '3号楼大堂' }, admin);
    if (!issued.ok) throw new Error('issue');
    const result = enroll(issued.value.code);
    expect(result).toMatchObject({ ok: true, value: { communityId: 'c1' } });
    expect(signage.devices.list()[0]).toMatchObject({ name: '3号楼大堂', communityName: '幸福小区' });
  });
});

describe('authenticate', () => {
  it('refuses missing, malformed, forged and revoked credentials', () => {
    const result = enroll(newCode());
    if (!result.ok) throw new Error('enrol');
    const { credential, deviceId } = result.value;
    const secret = credential.split('.')[1] as string;
    const forgedSecret = `${deviceId}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const table: [string, string | null][] = [
      ['missing', null],
      ['not bearer', `Basic ${credential}`],
      ['no secret', `Bearer ${deviceId}`],
      ['forged secret', `Bearer ${forgedSecret}`],
      ['unknown device', `Bearer ${crypto.randomUUID()}.${secret}`],
      ['trailing junk', `Bearer ${credential}x`],
    ];
    for (const [name, header] of table) expect(signage.devices.authenticate(header), name).toBeNull();
    expect(signage.devices.authenticate(`Bearer ${credential}`)?.id).toBe(deviceId);

    expect(signage.devices.revoke(deviceId, admin).ok).toBe(true);
    expect(signage.devices.authenticate(`Bearer ${credential}`)).toBeNull();
    // a restart reads devices from the database: still revoked
    const restarted = new DeviceService(new DeviceRepository(signage.db), { record: () => 0 }, signage.clock);
    expect(restarted.authenticate(`Bearer ${credential}`)).toBeNull();
  });

  it('a restarted service knows enrolled devices', () => {
    const result = enroll(newCode());
    if (!result.ok) throw new Error('enrol');
    const restarted = new DeviceService(new DeviceRepository(signage.db), { record: () => 0 }, signage.clock);
    expect(restarted.authenticate(`Bearer ${result.value.credential}`)?.id).toBe(result.value.deviceId);
  });

  it('writes last_seen_at at most once a minute', () => {
    const result = enroll(newCode());
    if (!result.ok) throw new Error('enrol');
    const device = signage.devices.authenticate(`Bearer ${result.value.credential}`);
    if (!device) throw new Error('auth');
    const lastSeen = () => signage.devices.list()[0]?.lastSeenAt;
    signage.devices.touch(device);
    const first = lastSeen();
    expect(first).toBe(signage.clock.now().toISOString());
    signage.clock.advance(LAST_SEEN_WRITE_INTERVAL_MS - 1);
    signage.devices.touch(device);
    expect(lastSeen()).toBe(first);
    signage.clock.advance(1);
    signage.devices.touch(device);
    expect(lastSeen()).toBe(signage.clock.now().toISOString());
  });
});

describe('revoke', () => {
  it('audits, tells listeners once, and reports unknown devices', () => {
    const result = enroll(newCode());
    if (!result.ok) throw new Error('enrol');
    const heard: string[] = [];
    signage.devices.onRevoke((id) => heard.push(id));
    signage.devices.revoke(result.value.deviceId, admin);
    signage.devices.revoke(result.value.deviceId, admin);
    expect(heard).toEqual([result.value.deviceId]);
    expect(signage.devices.revoke('nope', admin)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    const actions = signage.db.prepare('SELECT action FROM audit_log ORDER BY id').all() as {
      action: string;
    }[];
    expect(actions.map((a) => a.action)).toEqual(['device.pairing-code', 'device.enroll', 'device.revoke']);
  });
});
