import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/database';
import { migrations } from '../db/migrations/index';
import { loadKeys } from '../keys';
import { ACCOUNT_KINDS } from '../ledger/ledger.schema';
import { CLERK, createTestPayments } from '../testing/payments.fixture';
import { collectMetrics, ledgerTotals, ManifestCounter, metricsAuthorised, RequestCounter } from './metrics';
import { parsePrometheusText, sampleValue } from './prometheus-text';
import { checkReadiness } from './readiness';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-observability-'));
  dirs.push(dir);
  return dir;
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});
function openMigrated() {
  const db = openDatabase(path.join(dataDir(), 'linli.db'));
  migrate(db);
  opened.push(db);
  return db;
}

describe('Prometheus text reader (the yardstick of the metrics tests)', () => {
  it.each([
    ['no final newline', '# TYPE a gauge\na 1'],
    ['a sample before its TYPE', 'a 1\n# TYPE a gauge\n'],
    ['a family split in two', '# TYPE a gauge\na{x="1"} 1\n# TYPE b gauge\nb 1\na{x="2"} 2\n'],
    ['a repeated series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'],
    ['a counter without _total', '# TYPE requests counter\nrequests 1\n'],
    ['an unescaped quote', '# TYPE a gauge\na{x="say "hi""} 1\n'],
    ['a bad value', '# TYPE a gauge\na 1,5\n'],
    ['a blank line', '# TYPE a gauge\n\na 1\n'],
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
  ])('refuses %s', (_why, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it('reads labels with escapes, special values and histogram suffixes', () => {
    const families = parsePrometheusText(
      '# HELP a An "a".\n# TYPE a gauge\na{path="C:\\\\x",note="two\\nlines",q="\\""} +Inf\n' +
        '# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 3.5e0\nh_count 2\n',
    );
    expect(families.get('a')?.samples[0]).toEqual({
      name: 'a',
      labels: { path: 'C:\\x', note: 'two\nlines', q: '"' },
      value: Number.POSITIVE_INFINITY,
    });
    expect(families.get('a')?.help).toBe('An "a".');
    expect(sampleValue(families, 'h_sum')).toBe(3.5);
  });
});

describe('metrics', () => {
  it('reports devices online, content and requests in Prometheus text', () => {
    const db = openDatabase(path.join(dataDir(), 'linli.db'));
    migrate(db);
    const now = new Date('2026-11-25T02:00:00.000Z');
    const insert = db.prepare(
      `INSERT INTO devices (id, name, credential_hash, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    insert.run('a', 'lobby', 'h1', now.toISOString(), '2026-11-25T01:59:00.000Z', null);
    insert.run('b', 'gate', 'h2', now.toISOString(), '2026-11-25T01:00:00.000Z', null);
    insert.run('c', 'old', 'h3', now.toISOString(), '2026-11-25T01:59:30.000Z', '2026-11-25T01:59:40.000Z');
    const counter = new RequestCounter();
    counter.record('get', 200);
    counter.record('GET', 204);
    counter.record('POST', 403);
    const text = collectMetrics(db, now, counter);
    db.close();
    expect(text).toContain('linli_devices_enrolled 2\n');
    expect(text).toContain('linli_devices_online 1\n');
    expect(text).toContain('linli_device_sync_lag_seconds 3600\n');
    expect(text).toContain('linli_http_requests_total{method="GET",status="2xx"} 2\n');
    expect(text).toContain('linli_http_requests_total{method="POST",status="4xx"} 1\n');
    expect(text).toContain(`linli_schema_version ${migrations.length}\n`);
    expect(text).toMatch(/^# TYPE linli_devices_online gauge$/m);
    const families = parsePrometheusText(text);
    expect(families.get('linli_devices_online')?.type).toBe('gauge');
    expect(sampleValue(families, 'linli_http_requests_total', { method: 'GET', status: '2xx' })).toBe(2);
  });

  it('writes a strictly valid exposition in which every family has help, a type and finite samples', async () => {
    const t = createTestPayments();
    try {
      const card = await t.cards.issue(
        { uid: '04A1B2C3D4E5F6', residentId: t.residents(1)[0]!.id, pin: '123456' },
        CLERK,
      );
      if (!card.ok) throw new Error(card.error.message);
      const counter = new RequestCounter();
      counter.record('GET', 200);
      const families = parsePrometheusText(
        collectMetrics(t.db, t.clock.now(), counter, new ManifestCounter()),
      );
      expect(families.size).toBeGreaterThanOrEqual(15);
      for (const family of families.values()) {
        expect(family.name).toMatch(/^linli_/);
        expect(family.help.length, family.name).toBeGreaterThan(10);
        for (const sample of family.samples) expect(Number.isFinite(sample.value), sample.name).toBe(true);
      }
      expect(families.get('linli_ledger_balance_fen')?.samples.map((s) => s.labels.kind)).toEqual([
        ...ACCOUNT_KINDS,
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('reports ledger totals per account kind, the transaction count and a zero grand total as money moves', async () => {
    const t = createTestPayments();
    try {
      const scrape = () =>
        parsePrometheusText(collectMetrics(t.db, t.clock.now(), new RequestCounter(), new ManifestCounter()));
      const before = sampleValue(scrape(), 'linli_ledger_transactions');
      const [first, second] = t.residents(2);
      const issue = async (uid: string, residentId: string) => {
        const card = await t.cards.issue({ uid, residentId, pin: '123456' }, CLERK);
        if (!card.ok) throw new Error(card.error.message);
        return card.value;
      };
      const a = await issue('04A1B2C3D4E5F6', first!.id);
      const b = await issue('04B2C3D4E5F607', second!.id);
      expect(
        t.payments.topUpCash(a.id, 50_000, CLERK, { scope: 'user:clerk-1', key: 'metrics-topup-a' }).ok,
      ).toBe(true);
      expect(
        t.payments.topUpCash(b.id, 20_000, CLERK, { scope: 'user:clerk-1', key: 'metrics-topup-b' }).ok,
      ).toBe(true);
      t.bills.repository.insert({
        id: 'metrics-water',
        unitId: first!.unitId,
        category: 'water',
        period: '2026-10',
        amount: 4_650,
        dueDate: null,
        source: 'test',
        createdAt: t.clock.now().toISOString(),
      });
      const paid = await t.payments.payBills(
        { uid: a.uid, billIds: ['metrics-water'] },
        { scope: 'device:kiosk-1', key: 'metrics-pay-1' },
      );
      expect(paid.ok).toBe(true);

      const after = scrape();
      expect(sampleValue(after, 'linli_ledger_balance_fen', { kind: 'wallet' })).toBe(
        50_000 + 20_000 - 4_650,
      );
      expect(sampleValue(after, 'linli_ledger_balance_fen', { kind: 'cash-drawer' })).toBe(-70_000);
      expect(sampleValue(after, 'linli_ledger_balance_fen', { kind: 'biller-payable' })).toBe(4_650);
      expect(sampleValue(after, 'linli_ledger_accounts', { kind: 'wallet' })).toBe(2);
      expect(sampleValue(after, 'linli_ledger_transactions')).toBe(before + 3);
      expect(sampleValue(after, 'linli_ledger_total_fen')).toBe(0);

      // a scrape with nothing new answers from the cache; the next payment is seen at once
      expect(ledgerTotals(t.db)).toBe(ledgerTotals(t.db));
      t.bills.repository.insert({
        id: 'metrics-gas',
        unitId: first!.unitId,
        category: 'gas',
        period: '2026-10',
        amount: 350,
        dueDate: null,
        source: 'test',
        createdAt: t.clock.now().toISOString(),
      });
      expect(
        (
          await t.payments.payBills(
            { uid: a.uid, billIds: ['metrics-gas'] },
            { scope: 'device:kiosk-1', key: 'metrics-pay-2' },
          )
        ).ok,
      ).toBe(true);
      const later = scrape();
      expect(sampleValue(later, 'linli_ledger_balance_fen', { kind: 'wallet' })).toBe(65_350 - 350);
      expect(sampleValue(later, 'linli_ledger_transactions')).toBe(before + 4);
      expect(sampleValue(later, 'linli_ledger_total_fen')).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('measures the outbox: online top-ups waiting for the provider, and the age of the oldest', async () => {
    const t = createTestPayments();
    try {
      const scrape = () =>
        parsePrometheusText(collectMetrics(t.db, t.clock.now(), new RequestCounter(), new ManifestCounter()));
      expect(sampleValue(scrape(), 'linli_outbox_pending', { queue: 'topup-callbacks' })).toBe(0);
      expect(sampleValue(scrape(), 'linli_outbox_lag_seconds', { queue: 'topup-callbacks' })).toBe(0);
      const card = await t.cards.issue(
        { uid: '04A1B2C3D4E5F6', residentId: t.residents(1)[0]!.id, pin: '123456' },
        CLERK,
      );
      if (!card.ok) throw new Error(card.error.message);
      const order = await t.payments.createTopUpOrder(
        { uid: card.value.uid, amount: 10_000 },
        'sim',
        {
          scope: 'device:kiosk-1',
          key: 'metrics-order-1',
        },
        'https://linli.example',
      );
      if (!order.ok) throw new Error(order.error.message);
      t.clock.advance(30_000);
      const second = await t.payments.createTopUpOrder(
        { uid: card.value.uid, amount: 2_000 },
        'sim',
        {
          scope: 'device:kiosk-1',
          key: 'metrics-order-2',
        },
        'https://linli.example',
      );
      if (!second.ok) throw new Error(second.error.message);
      t.clock.advance(60_000);
      let metrics = scrape();
      expect(sampleValue(metrics, 'linli_outbox_pending', { queue: 'topup-callbacks' })).toBe(2);
      expect(sampleValue(metrics, 'linli_outbox_lag_seconds', { queue: 'topup-callbacks' })).toBe(90);

      const body = JSON.stringify({
        orderId: order.value.id,
        tradeNo: 'SIM-1',
        status: 'paid',
        amount: 10_000,
        seq: 1,
      });
      expect(t.payments.handleCallback('sim', body, t.simProvider.sign(body)).ok).toBe(true);
      metrics = scrape();
      expect(sampleValue(metrics, 'linli_outbox_pending', { queue: 'topup-callbacks' })).toBe(1);
      expect(sampleValue(metrics, 'linli_outbox_lag_seconds', { queue: 'topup-callbacks' })).toBe(60);
      expect(sampleValue(metrics, 'linli_ledger_balance_fen', { kind: 'wallet' })).toBe(10_000);
      expect(sampleValue(metrics, 'linli_ledger_total_fen')).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('counts kiosk commands not yet acknowledged as outbox, from the oldest one', () => {
    const db = openMigrated();
    const now = new Date('2026-11-25T02:00:00.000Z');
    db.prepare(
      `INSERT INTO devices (id, name, credential_hash, created_at, last_seen_at) VALUES ('k', 'lobby', 'h', ?, ?)`,
    ).run(now.toISOString(), now.toISOString());
    const command = db.prepare(
      `INSERT INTO device_commands (id, device_id, kind, issued_by, issued_at, state) VALUES (?, 'k', 'identify', 'admin', ?, ?)`,
    );
    command.run('c1', '2026-11-25T01:50:00.000Z', 'acked');
    command.run('c2', '2026-11-25T01:58:00.000Z', 'delivered');
    command.run('c3', '2026-11-25T01:59:30.000Z', 'pending');
    const families = parsePrometheusText(
      collectMetrics(db, now, new RequestCounter(), new ManifestCounter()),
    );
    expect(sampleValue(families, 'linli_outbox_pending', { queue: 'device-commands' })).toBe(2);
    expect(sampleValue(families, 'linli_outbox_lag_seconds', { queue: 'device-commands' })).toBe(120);
  });

  it('reports the WAL size, and the checkpointer rounds when a checkpointer runs', () => {
    const db = openMigrated();
    const counters = { rounds: 12, restarts: 3, errors: 1 };
    const families = parsePrometheusText(
      collectMetrics(db, new Date(), new RequestCounter(), new ManifestCounter(), counters),
    );
    // the migrations were written to the WAL, which stays until a checkpoint starts it over
    expect(sampleValue(families, 'linli_wal_bytes')).toBe(fs.statSync(`${db.name}-wal`).size);
    expect(sampleValue(families, 'linli_wal_bytes')).toBeGreaterThan(0);
    expect(families.get('linli_wal_checkpoints_total')?.type).toBe('counter');
    expect(sampleValue(families, 'linli_wal_checkpoints_total', { result: 'copied' })).toBe(12);
    expect(sampleValue(families, 'linli_wal_checkpoints_total', { result: 'restarted' })).toBe(3);
    expect(sampleValue(families, 'linli_wal_checkpoints_total', { result: 'failed' })).toBe(1);
    // without a checkpointer (LINLI_WAL_CHECKPOINTER=0) SQLite checkpoints by itself: no such family
    const alone = parsePrometheusText(
      collectMetrics(db, new Date(), new RequestCounter(), new ManifestCounter()),
    );
    expect(alone.has('linli_wal_checkpoints_total')).toBe(false);
    expect(alone.has('linli_wal_bytes')).toBe(true);
  });

  it('counts manifest answers by result', () => {
    const manifests = new ManifestCounter();
    for (const status of [200, 304, 304, 304, 401]) manifests.record(status);
    const families = parsePrometheusText(
      collectMetrics(openMigrated(), new Date(), new RequestCounter(), manifests),
    );
    expect(sampleValue(families, 'linli_manifest_responses_total', { result: 'full' })).toBe(1);
    expect(sampleValue(families, 'linli_manifest_responses_total', { result: 'not-modified' })).toBe(3);
    expect(families.get('linli_manifest_responses_total')?.samples).toHaveLength(2);
  });

  it('opens only for the configured bearer token', () => {
    const token = 'a-long-metrics-token';
    expect(metricsAuthorised(token, `Bearer ${token}`)).toBe(true);
    expect(metricsAuthorised(token, 'Bearer wrong')).toBe(false);
    expect(metricsAuthorised(token, null)).toBe(false);
    expect(metricsAuthorised(undefined, 'Bearer anything')).toBe(false);
  });
});

describe('readiness', () => {
  it('is ready with a migrated database and keys, and not ready on an old schema', () => {
    const dir = dataDir();
    const db = openDatabase(path.join(dir, 'linli.db'));
    migrate(db, migrations.length - 1);
    loadKeys(dir);
    expect(checkReadiness(db, dir)).toMatchObject({ ready: false, checks: { schema: { ok: false } } });
    migrate(db);
    expect(checkReadiness(db, dir)).toEqual({
      ready: true,
      checks: { database: { ok: true }, schema: { ok: true }, dataDir: { ok: true }, keys: { ok: true } },
    });
    fs.rmSync(path.join(dir, 'keys', 'data.key'));
    expect(checkReadiness(db, dir).checks.keys).toEqual({ ok: false, detail: 'missing data.key' });
    db.close();
  });
});
