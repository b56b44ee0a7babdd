import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64UrlEncode, type AccessVerifyRequestV1 } from '@linli/content';
import {
  createTestVisitors,
  GATE_KIOSK,
  VISITOR_CLERK,
  type TestVisitors,
} from '../testing/visitors.fixture';
import { accessAnswer } from './access-fast-path';

let t: TestVisitors;
beforeEach(() => {
  t = createTestVisitors();
});
afterEach(() => t.cleanup());

/** A visitor to building 2, approved by the resident for `minutes`: the pass token. */
function approvedPass(minutes = 60): string {
  const registration = t.registration();
  const status = t.visitors.register(GATE_KIOSK, registration);
  if (!status.ok) throw new Error('register failed');
  const [link] = t.visitors.view(status.value.visitId)!.links;
  t.visitors.answerConfirmation(link!.path.replace('/v/', ''), true, minutes);
  const polled = t.visitors.status(GATE_KIOSK, registration.clientRef);
  if (!polled.ok || !polled.value.pass) throw new Error('no pass');
  return polled.value.pass.token;
}

const qr = (doorId: string, token: string): AccessVerifyRequestV1 => ({
  doorId,
  credential: { kind: 'qr', token },
});
const card = (doorId: string, uid: string): AccessVerifyRequestV1 => ({
  doorId,
  credential: { kind: 'card', uid },
});

describe('access verify: visitor passes', () => {
  it('opens the gate and building 2, refuses building 3, refuses after expiry', () => {
    const token = approvedPass(60);
    expect(t.access.verify(qr('gate-xingfuli', token))).toMatchObject({
      allow: true,
      reason: 'ok-visitor-pass',
    });
    const b2 = t.access.verify(qr('bldg-xingfuli-b2', token));
    expect(b2).toMatchObject({ allow: true, reason: 'ok-visitor-pass' });
    expect(b2.display).toMatch(/^访客 张\*\* · 至 \d\d:\d\d$/);
    expect(t.access.verify(qr('bldg-xingfuli-b3', token))).toEqual({
      allow: false,
      reason: 'wrong-door',
      display: null,
    });
    t.clock.advance(60 * 60_000);
    expect(t.access.verify(qr('bldg-xingfuli-b2', token))).toMatchObject({ allow: false, reason: 'expired' });
  });

  it('refuses a tampered token, garbage, an unknown door and a revoked pass', () => {
    const token = approvedPass();
    const [prefix, payload, signature] = token.split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { d: string[] };
    decoded.d.push('bldg-xingfuli-b3');
    const tampered = `${prefix}.${base64UrlEncode(Buffer.from(JSON.stringify(decoded)))}.${signature}`;
    expect(t.access.verify(qr('bldg-xingfuli-b3', tampered)).reason).toBe('bad-signature');
    expect(t.access.verify(qr('bldg-xingfuli-b2', 'LP1.not-a-token.x')).reason).toBe('malformed');
    expect(t.access.verify(qr('bldg-nowhere', token)).reason).toBe('unknown-door');
    const visitId = t.db.prepare('SELECT id FROM visits WHERE pass_id IS NOT NULL').pluck().get() as string;
    expect(t.visitors.revokePass(visitId, VISITOR_CLERK).ok).toBe(true);
    expect(t.access.verify(qr('gate-xingfuli', token))).toMatchObject({ allow: false, reason: 'revoked' });
  });

  it('logs every attempt (batched, flushed before reading)', () => {
    const token = approvedPass();
    t.access.verify(qr('gate-xingfuli', token));
    t.access.verify(qr('bldg-xingfuli-b3', token));
    const log = t.access.accessLog({ page: 1 });
    expect(log.entries.map((e) => [e.doorId, e.allow, e.reason])).toEqual([
      ['bldg-xingfuli-b3', false, 'wrong-door'],
      ['gate-xingfuli', true, 'ok-visitor-pass'],
    ]);
    expect(log.entries[1]!.doorLabel).toBe('幸福里社区 大门');
  });
});

describe('access verify: resident cards', () => {
  const residentOf = (buildingId: string) =>
    t.db
      .prepare(
        'SELECT r.id FROM residents r JOIN units u ON u.id = r.unit_id WHERE u.building_id = ? ORDER BY r.id LIMIT 1',
      )
      .pluck()
      .get(buildingId) as string;

  it('opens the gate and the bound buildings; a blocked card is refused at once', () => {
    const resident = residentOf('xingfuli-b2');
    expect(t.access.verify(card('gate-xingfuli', '04A1B2C3'))).toMatchObject({
      allow: false,
      reason: 'unknown-card',
    });
    const bound = t.access.bindCard(
      { uid: '04A1B2C3', residentId: resident, buildingIds: [] },
      VISITOR_CLERK,
    );
    expect(bound.ok && bound.value.buildingIds).toEqual(['xingfuli-b2']);
    expect(t.access.verify(card('gate-xingfuli', '04A1B2C3'))).toMatchObject({
      allow: true,
      reason: 'ok-resident-card',
    });
    expect(t.access.verify(card('bldg-xingfuli-b2', '04A1B2C3')).allow).toBe(true);
    expect(t.access.verify(card('bldg-xingfuli-b3', '04A1B2C3')).reason).toBe('wrong-door');
    expect(t.access.setCardBlocked('04A1B2C3', true, VISITOR_CLERK).ok).toBe(true);
    expect(t.access.verify(card('bldg-xingfuli-b2', '04A1B2C3'))).toMatchObject({
      allow: false,
      reason: 'card-blocked',
    });
    expect(t.access.setCardBlocked('04A1B2C3', false, VISITOR_CLERK).ok).toBe(true);
    expect(t.access.verify(card('bldg-xingfuli-b2', '04A1B2C3')).allow).toBe(true);
  });

  it('refuses the same physical card at every door once the community card is reported lost', async () => {
    const resident = residentOf('xingfuli-b1');
    const issued = await t.cards.issue(
      { uid: '04D1E2F3A4', residentId: resident, pin: '246810' },
      VISITOR_CLERK,
    );
    if (!issued.ok) throw new Error(`issue failed: ${issued.error.kind}`);
    expect(
      t.access.bindCard({ uid: '04D1E2F3A4', residentId: resident, buildingIds: [] }, VISITOR_CLERK).ok,
    ).toBe(true);
    expect(t.access.verify(card('bldg-xingfuli-b1', '04D1E2F3A4')).allow).toBe(true);
    const other = residentOf('xingfuli-b3');
    expect(
      t.access.bindCard({ uid: '04D1E2F3A4', residentId: other, buildingIds: [] }, VISITOR_CLERK),
    ).toMatchObject({
      ok: false,
      error: { kind: 'conflict' },
    });
    expect(t.cards.reportLost(issued.value.id, VISITOR_CLERK).ok).toBe(true);
    expect(t.access.verify(card('bldg-xingfuli-b1', '04D1E2F3A4'))).toMatchObject({
      allow: false,
      reason: 'card-blocked',
    });
  });
});

describe('door controller authentication', () => {
  it('accepts a door secret for its own door only', () => {
    const issued = t.access.issueDoorSecret('bldg-xingfuli-b2', VISITOR_CLERK);
    if (!issued.ok) throw new Error('no secret');
    const token = approvedPass();
    const body = qr('bldg-xingfuli-b2', token);
    expect(accessAnswer(t.access, `Bearer ${issued.value.secret}`, body)).toMatchObject({
      status: 200,
      body: { allow: true },
    });
    expect(accessAnswer(t.access, `Bearer ${issued.value.secret}`, qr('gate-xingfuli', token)).status).toBe(
      403,
    );
    expect(accessAnswer(t.access, 'Bearer wrong-secret-0123456789', body).status).toBe(401);
    expect(accessAnswer(t.access, `Bearer ${issued.value.secret}`, { doorId: 'x' }).status).toBe(400);
    const stored = JSON.stringify(t.db.prepare('SELECT * FROM access_door_secrets').all());
    expect(stored).not.toContain(issued.value.secret);
    // a new secret replaces the old one at once
    const again = t.access.issueDoorSecret('bldg-xingfuli-b2', VISITOR_CLERK);
    expect(again.ok).toBe(true);
    expect(accessAnswer(t.access, `Bearer ${issued.value.secret}`, body).status).toBe(401);
    expect(t.access.issueDoorSecret('bldg-nowhere', VISITOR_CLERK).ok).toBe(false);
  });
});
