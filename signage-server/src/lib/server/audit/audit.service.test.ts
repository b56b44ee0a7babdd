import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../clock';
import { createTestEnvironment, type TestEnvironment } from '../testing/signage.fixture';
import { AUDIT_PAGE_SIZE, AuditService } from './audit.service';
import { AuditQuery } from './audit.schema';

let env: TestEnvironment;
let audit: AuditService;
beforeEach(() => {
  env = createTestEnvironment();
  audit = new AuditService(env.db, env.clock);
});
afterEach(() => env.cleanup());

describe('audit log', () => {
  it('records actor, action, target, detail and the clock’s time, newest first', () => {
    audit.record({ actor: 'alice', action: 'auth.login', target: 'user:1', detail: { address: '10.0.0.1' } });
    (env.clock as ManualClock).advance(60_000);
    audit.record({ actor: { username: 'bob' }, action: 'user.create', target: 'user:2' });
    audit.record({ actor: null, action: 'registry.seed-demo' });
    const { entries, total } = audit.list(AuditQuery.parse({}));
    expect(total).toBe(3);
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['system', 'registry.seed-demo', ''],
      ['bob', 'user.create', 'user:2'],
      ['alice', 'auth.login', 'user:1'],
    ]);
    expect(entries[2]).toMatchObject({ at: '2026-11-25T02:00:00.000Z', detail: { address: '10.0.0.1' } });
  });

  it('filters by actor (any case) and action prefix, treating % and _ literally, and pages', () => {
    for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++) audit.record({ actor: 'alice', action: 'auth.login' });
    audit.record({ actor: 'bob', action: 'auth_x' });
    audit.record({ actor: 'bob', action: 'user.create' });
    expect(audit.list(AuditQuery.parse({ actor: 'BOB' })).total).toBe(2);
    expect(audit.list(AuditQuery.parse({ action: 'auth.' })).total).toBe(AUDIT_PAGE_SIZE + 5);
    expect(audit.list(AuditQuery.parse({ action: 'auth_' })).total).toBe(1);
    expect(audit.list(AuditQuery.parse({ action: '%' })).total).toBe(0);
    const second = audit.list(AuditQuery.parse({ actor: 'alice', page: '2' }));
    expect(second).toMatchObject({ page: 2, pages: 2 });
    expect(second.entries).toHaveLength(5);
  });

  it('survives junk in the query string', () => {
    expect(AuditQuery.parse({ page: 'abc', actor: 'x'.repeat(500) })).toMatchObject({
      page: 1,
      actor: undefined,
    });
  });
});
