import { verifyPassToken } from '@linli/content/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeVisitors } from './visitor-retention';
import {
  cnId,
  createTestVisitors,
  GATE_KIOSK,
  VISITOR_CLERK,
  VISITOR_ID,
  VISITOR_NAME,
  VISITOR_PHONE,
  type TestVisitors,
} from '../testing/visitors.fixture';

let t: TestVisitors;
beforeEach(() => {
  t = createTestVisitors();
});
afterEach(() => t.cleanup());

const visitCount = () => t.db.prepare('SELECT count(*) FROM visits').pluck().get() as number;
const tokenOf = (path: string) => path.replace('/v/', '');
const register = (registration = t.registration()) => {
  const result = t.visitors.register(GATE_KIOSK, registration);
  if (!result.ok) throw new Error(`register failed: ${result.error.kind}`);
  return result.value;
};
const linksOf = (visitId: string) => t.visitors.view(visitId)!.links;

describe('VisitorService registration', () => {
  it('creates exactly one visit per clientRef and replays the first answer', () => {
    const registration = t.registration();
    const first = t.visitors.register(GATE_KIOSK, registration);
    const again = t.visitors.register(GATE_KIOSK, registration);
    expect(first.ok && again.ok).toBe(true);
    expect(again.replayed).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value.visitId).toBe(first.value.visitId);
    expect(first.value).toMatchObject({ status: 'pending-resident', pollAfterMs: 2000 });
    expect(first.value.hostMasked).toMatch(/^.\*+$/);
    expect(visitCount()).toBe(1);
    // notifications went out once, not on the replay
    expect(t.logLines.filter((l) => l.includes('visitor confirmation link')).length).toBe(
      linksOf(first.value.visitId).length,
    );
    const otherKiosk = t.visitors.register({ ...GATE_KIOSK, id: 'other-kiosk' }, registration);
    expect(otherKiosk.ok ? null : otherKiosk.error.kind).toBe('conflict');
    expect(visitCount()).toBe(1);
  });

  it.each([
    [
      'check digit',
      `${VISITOR_ID.slice(0, 17)}${VISITOR_ID[17] === '0' ? '1' : '0'}`,
      'id-check-digit-mismatch',
    ],
    ['15-digit legacy', '110105491231002', 'id-legacy-15-digit'],
    ['birth date', cnId('11010519851399123'), 'id-invalid-birth-date'],
  ])('refuses an invalid ID number (%s) and writes nothing', (_name, idNumber, reason) => {
    const result = t.visitors.register(GATE_KIOSK, t.registration({}, idNumber));
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'invalid-id-number', params: { reason } });
    expect(visitCount()).toBe(0);
  });

  it('refuses an unknown unit or a building of another community', () => {
    const unit = t.visitors.register(GATE_KIOSK, t.registration({ unitNumber: '9-9999' }));
    expect(unit.ok ? null : unit.error.kind).toBe('unknown-unit');
    const building = t.visitors.register(GATE_KIOSK, t.registration({ buildingId: 'elsewhere-b1' }));
    expect(building.ok ? null : building.error.kind).toBe('unknown-building');
    expect(visitCount()).toBe(0);
  });

  it('answers unit lookups with masked surnames only', () => {
    const lookup = t.visitors.unitLookup(GATE_KIOSK, {
      buildingId: 'xingfuli-b2',
      unitNumber: t.unitOf('xingfuli-b2'),
    });
    expect(lookup.ok && lookup.value.found).toBe(true);
    if (!lookup.ok) return;
    expect(lookup.value.residentsMasked.length).toBeGreaterThan(0);
    for (const masked of lookup.value.residentsMasked) expect(masked).toMatch(/^[\u4e00-\u9fa5]\*+$/);
    const missing = t.visitors.unitLookup(GATE_KIOSK, { buildingId: 'xingfuli-b2', unitNumber: 'nope' });
    expect(missing).toEqual({ ok: true, value: { found: false, unitLabel: null, residentsMasked: [] } });
    const buildings = t.visitors.buildings(GATE_KIOSK);
    expect(buildings.ok && buildings.value.buildings.map((b) => b.id)).toEqual(
      expect.arrayContaining(['xingfuli-b1', 'xingfuli-b2', 'xingfuli-b3', 'xingfuli-bs']),
    );
    expect(buildings.ok && buildings.value.retentionDays).toBe(90);
  });

  it('sends a unit without residents straight to the clerk', () => {
    const status = register(t.registration({ unitNumber: t.unitOf('xingfuli-b2', false) }));
    expect(status).toMatchObject({ status: 'pending-clerk', hostMasked: null });
  });
});

describe('watch-list', () => {
  it('matches by keyed hash: the visitor sees only see-guard, the station gets an alert', () => {
    const added = t.visitors.addToWatchlist(
      'xingfuli',
      { documentNumber: VISITOR_ID, reason: '盗窃嫌疑', expiresOn: '' },
      VISITOR_CLERK,
    );
    expect(added.ok).toBe(true);
    const stored = t.db.prepare('SELECT * FROM visitor_watchlist').get() as Record<string, string>;
    expect(JSON.stringify(stored)).not.toContain(VISITOR_ID);
    const status = register();
    expect(status).toMatchObject({ status: 'see-guard', pass: null, hostMasked: null });
    const alert = t.visitors.queue().find((v) => v.id === status.visitId);
    expect(alert).toMatchObject({ status: 'see-guard', guardReason: 'watch-list', links: [] });
    expect(
      t.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'visitor.watchlist-hit'").pluck().get(),
    ).toBe(1);
    expect(t.visitors.acknowledgeAlert(status.visitId, VISITOR_CLERK).ok).toBe(true);
    expect(t.visitors.queue().find((v) => v.id === status.visitId)).toBeUndefined();
  });

  it('stops matching after expiry or removal, and refuses an invalid number', () => {
    t.visitors.addToWatchlist(
      'xingfuli',
      { documentNumber: VISITOR_ID, reason: '临时', expiresOn: '2026-11-25' },
      VISITOR_CLERK,
    );
    t.clock.advance(2 * 86_400_000);
    expect(register().status).toBe('pending-resident');
    const second = t.visitors.addToWatchlist(
      'xingfuli',
      { documentNumber: cnId('44052418800101001'), reason: '测试', expiresOn: '' },
      VISITOR_CLERK,
    );
    if (!second.ok) throw new Error('not added');
    expect(t.visitors.removeFromWatchlist(second.value.id, VISITOR_CLERK).ok).toBe(true);
    expect(register(t.registration({}, cnId('44052418800101001'))).status).toBe('pending-resident');
    const invalid = t.visitors.addToWatchlist(
      'xingfuli',
      { documentNumber: '110105198503171230', reason: '测试', expiresOn: '' },
      VISITOR_CLERK,
    );
    expect(invalid.ok ? null : invalid.error.kind).toBe(VISITOR_ID.endsWith('0') ? null : 'invalid');
  });
});

describe('host confirmation', () => {
  it('approves through the one-time link with a duration; the pass opens the gate and the visited building only', () => {
    const status = register();
    const links = linksOf(status.visitId);
    expect(links.length).toBeGreaterThan(0);
    const page = t.visitors.confirmationPage(tokenOf(links[0]!.path));
    expect(page.ok && page.value).toMatchObject({ state: 'open', visitorMasked: '张**', reason: 'friend' });
    expect(t.visitors.answerConfirmation(tokenOf(links[0]!.path), true, 120)).toEqual({
      ok: true,
      value: { status: 'approved' },
    });
    const polled = t.visitors.status(GATE_KIOSK, status.clientRef);
    if (!polled.ok || !polled.value.pass) throw new Error('no pass');
    expect(polled.value).toMatchObject({ status: 'approved', pollAfterMs: null });
    expect(polled.value.pass.doors).toEqual(['幸福里社区 大门', '2号楼']);
    const { token } = polled.value.pass;
    const key = t.access.publicKeyOf().spki;
    const now = t.clock.now();
    expect(verifyPassToken(token, key, { doorId: 'gate-xingfuli', now }).allow).toBe(true);
    expect(verifyPassToken(token, key, { doorId: 'bldg-xingfuli-b2', now }).allow).toBe(true);
    expect(verifyPassToken(token, key, { doorId: 'bldg-xingfuli-b3', now }).reason).toBe('wrong-door');
    expect(Date.parse(polled.value.pass.validTo) - now.getTime()).toBe(120 * 60_000);
    // one answer per visit: this link and every other resident's link are spent
    for (const link of links) {
      expect(t.visitors.answerConfirmation(tokenOf(link.path), false)).toMatchObject({
        ok: false,
        error: { kind: 'already-decided' },
      });
    }
    expect(t.visitors.confirmationPage(`${tokenOf(links[0]!.path)}x`).ok).toBe(false);
  });

  it('declines through the link: no pass, the kiosk stops polling', () => {
    const status = register();
    const [link] = linksOf(status.visitId);
    expect(t.visitors.answerConfirmation(tokenOf(link!.path), false).ok).toBe(true);
    const polled = t.visitors.status(GATE_KIOSK, status.clientRef);
    expect(polled.ok && polled.value).toMatchObject({ status: 'declined', pass: null, pollAfterMs: null });
    expect(
      t.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'visitor.decline'").pluck().get(),
    ).toBe(1);
  });

  it('expires a visit nobody decided after 12 hours: out of the queue, no late pass, audited', () => {
    const forgotten = register();
    t.clock.advance(6 * 3_600_000);
    const recent = register();
    expect(t.visitors.queue().map((v) => v.id)).toEqual([forgotten.visitId, recent.visitId]);
    t.clock.advance(6 * 3_600_000);
    expect(t.visitors.queue().map((v) => v.id)).toEqual([recent.visitId]);
    expect(t.visitors.status(GATE_KIOSK, forgotten.clientRef)).toMatchObject({
      ok: true,
      value: { status: 'expired', pass: null, pollAfterMs: null },
    });
    expect(t.visitors.decide(forgotten.visitId, true, VISITOR_CLERK, 60)).toMatchObject({
      ok: false,
      error: { kind: 'already-decided' },
    });
    expect(t.visitors.view(forgotten.visitId)).toMatchObject({ status: 'expired', decidedBy: 'system' });
    expect(
      t.db.prepare("SELECT target FROM audit_log WHERE action = 'visitor.expired-undecided'").pluck().all(),
    ).toEqual([forgotten.visitId]);
    expect(t.visitors.decide(recent.visitId, true, VISITOR_CLERK, 60).ok).toBe(true);
  });

  it('moves an unanswered visit to the clerk after the timeout; the late link is refused; the clerk decides', () => {
    const status = register();
    const [link] = linksOf(status.visitId);
    t.clock.advance(179_000);
    expect(t.visitors.status(GATE_KIOSK, status.clientRef)).toMatchObject({
      ok: true,
      value: { status: 'pending-resident' },
    });
    t.clock.advance(2_000);
    expect(t.visitors.status(GATE_KIOSK, status.clientRef)).toMatchObject({
      ok: true,
      value: { status: 'pending-clerk' },
    });
    expect(t.visitors.queue().find((v) => v.id === status.visitId)).toMatchObject({
      status: 'pending-clerk',
      links: [],
    });
    expect(t.visitors.answerConfirmation(tokenOf(link!.path), true)).toMatchObject({
      ok: false,
      error: { kind: 'link-expired' },
    });
    expect(t.visitors.decide(status.visitId, true, VISITOR_CLERK, 60).ok).toBe(true);
    expect(t.visitors.decide(status.visitId, false, VISITOR_CLERK).ok).toBe(false);
    const polled = t.visitors.status(GATE_KIOSK, status.clientRef);
    expect(polled.ok && polled.value.status).toBe('approved');
    t.clock.advance(60 * 60_000);
    const later = t.visitors.status(GATE_KIOSK, status.clientRef);
    expect(later.ok && later.value).toMatchObject({ status: 'expired', pass: null });
  });

  it('sends the SMS through the logging driver with the number masked', () => {
    register();
    expect(t.smsNotifier.sent.length).toBeGreaterThan(0);
    for (const sms of t.smsNotifier.sent) {
      expect(sms.to).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(sms.text).toContain('/v/');
    }
  });
});

describe('identity data', () => {
  it('is sealed at rest, masked in every answer, revealed only with a reason and audited', () => {
    const status = register();
    const row = JSON.stringify(t.db.prepare('SELECT * FROM visits').get());
    for (const secret of [VISITOR_ID, VISITOR_PHONE, VISITOR_NAME]) expect(row).not.toContain(secret);
    const view = t.visitors.view(status.visitId)!;
    expect(view).toMatchObject({
      visitorNameMasked: '张**',
      documentNumberMasked: `${VISITOR_ID.slice(0, 6)}********${VISITOR_ID.slice(-4)}`,
      phoneMasked: '139****5678',
    });
    const answers = JSON.stringify([
      status,
      view,
      t.visitors.queue(),
      t.visitors.search('xingfuli', {
        from: '',
        to: '',
        buildingId: '',
        unitNumber: '',
        name: '张',
        status: '',
        page: 1,
      }),
    ]);
    for (const secret of [VISITOR_ID, VISITOR_PHONE, VISITOR_NAME]) expect(answers).not.toContain(secret);
    expect(t.visitors.reveal(status.visitId, '核实身份', VISITOR_CLERK)).toEqual({
      ok: true,
      value: { name: VISITOR_NAME, documentNumber: VISITOR_ID, phone: VISITOR_PHONE },
    });
    const audit = t.db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = 'visitor.reveal'")
      .get() as { actor: string; detail: string };
    expect(audit).toEqual({ actor: 'clerk1', detail: JSON.stringify({ reason: '核实身份' }) });
    for (const line of t.logLines)
      for (const secret of [VISITOR_ID, VISITOR_PHONE, VISITOR_NAME]) expect(line).not.toContain(secret);
  });

  it('exports unmasked CSV for an official request, audited with the reason', () => {
    register();
    const { csv, rows } = t.visitors.exportCsv(
      'xingfuli',
      { from: '', to: '', buildingId: 'xingfuli-b2', unitNumber: '', name: '', status: '', page: 1 },
      '公安机关调取 2026-118',
      VISITOR_CLERK,
    );
    expect(rows).toBe(1);
    expect(csv).toContain(VISITOR_ID);
    expect(csv.split('\r\n')[0]).toContain('registered_at');
    const audit = t.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'visitor.export'")
      .pluck()
      .get() as string;
    expect(JSON.parse(audit)).toMatchObject({ reason: '公安机关调取 2026-118', rows: 1 });
  });

  it('history search filters by building, unit and surname', () => {
    register();
    register(t.registration({ buildingId: 'xingfuli-b3', unitNumber: t.unitOf('xingfuli-b3') }));
    const base = { from: '', to: '', buildingId: '', unitNumber: '', name: '', status: '' as const, page: 1 };
    expect(t.visitors.search('xingfuli', base).visits).toHaveLength(2);
    expect(t.visitors.search('xingfuli', { ...base, buildingId: 'xingfuli-b3' }).visits).toHaveLength(1);
    expect(
      t.visitors.search('xingfuli', {
        ...base,
        buildingId: 'xingfuli-b2',
        unitNumber: t.unitOf('xingfuli-b2'),
      }).visits,
    ).toHaveLength(1);
    expect(t.visitors.search('xingfuli', { ...base, name: '张**' }).visits).toHaveLength(2);
    expect(t.visitors.search('xingfuli', { ...base, name: '李' }).visits).toHaveLength(0);
    expect(t.visitors.search('xingfuli', { ...base, from: '2026-11-26' }).visits).toHaveLength(0);
  });

  it('is purged after the retention period; the audit entries stay', () => {
    const old = register();
    t.clock.advance(60 * 86_400_000);
    const recent = register();
    t.clock.advance(31 * 86_400_000);
    const auditBefore = t.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    expect(purgeVisitors(t.db, t.clock, 90)).toEqual({ visits: 1, watchlist: 0 });
    const purged = t.db.prepare('SELECT * FROM visits WHERE id = ?').get(old.visitId) as Record<
      string,
      unknown
    >;
    expect(purged).toMatchObject({
      document_number_enc: null,
      document_number_hash: null,
      phone_enc: null,
      visitor_name_enc: null,
      visitor_name_masked: '*',
    });
    expect(purged.purged_at).not.toBeNull();
    expect(
      t.db.prepare('SELECT count(*) FROM visit_confirmations WHERE visit_id = ?').pluck().get(old.visitId),
    ).toBe(0);
    expect(t.visitors.reveal(old.visitId, '核实', VISITOR_CLERK)).toMatchObject({
      ok: false,
      error: { kind: 'purged' },
    });
    expect(t.visitors.reveal(recent.visitId, '核实', VISITOR_CLERK).ok).toBe(true);
    expect(
      t.db
        .prepare("SELECT count(*) FROM audit_log WHERE target = ? AND action = 'visitor.register'")
        .pluck()
        .get(old.visitId),
    ).toBe(1);
    expect(t.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number).toBeGreaterThan(
      auditBefore,
    );
    expect(purgeVisitors(t.db, t.clock, 90)).toEqual({ visits: 0, watchlist: 0 });
  });
});
