import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '../db/database';
import { schemaVersion } from '../db/database';
import { migrations } from '../db/migrations/index';
import { ACCOUNT_KINDS, type AccountKind } from '../ledger/ledger.schema';

/** One Prometheus sample: metric name, labels, value. */
interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** A metric family in the Prometheus text exposition format 0.0.4. */
interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

/** A kiosk counts as online when it called the server within this window (heartbeats come every minute). */
export const DEVICE_ONLINE_WINDOW_MS = 5 * 60_000;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Renders metric families as Prometheus text. */
export function renderPrometheus(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const rendered = labels.length
        ? `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`
        : '';
      lines.push(`${family.name}${rendered} ${Number.isFinite(sample.value) ? sample.value : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Counts HTTP requests by method and status class. Kept in memory: Prometheus computes rates from the
 * monotonically growing counter and notices restarts by itself.
 */
export class RequestCounter {
  readonly #counts = new Map<string, number>();

  /** Records one finished request. */
  record(method: string, status: number): void {
    const key = `${method.toUpperCase()} ${Math.floor(status / 100)}xx`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  samples(): Sample[] {
    return [...this.#counts].map(([key, value]) => {
      const [method = '', status = ''] = key.split(' ');
      return { labels: { method, status }, value };
    });
  }
}

/** The process-wide request counter (hooks.server.ts records, /metrics reads). */
export const requestCounter = new RequestCounter();

/**
 * Counts manifest answers: `200` (a kiosk fetched a new manifest version) and `304` (its version is current). The
 * device fast path answers these outside SvelteKit, so hooks.server.ts never sees them.
 */
export class ManifestCounter {
  #full = 0;
  #notModified = 0;

  /** Records one manifest answer by status; other statuses (401, 500) are already in the request counter. */
  record(status: number): void {
    if (status === 200) this.#full++;
    else if (status === 304) this.#notModified++;
  }

  samples(): Sample[] {
    return [
      { labels: { result: 'full' }, value: this.#full },
      { labels: { result: 'not-modified' }, value: this.#notModified },
    ];
  }
}

/** The process-wide manifest counter (the device API records, /metrics reads). */
export const manifestCounter = new ManifestCounter();

/** Ledger figures at one moment: balances by account kind, transactions, and the grand total (always 0). */
export interface LedgerTotals {
  balanceByKind: Record<AccountKind, number>;
  accountsByKind: Record<AccountKind, number>;
  transactions: number;
  total: number;
}

interface CachedLedgerTotals {
  watermark: string;
  totals: LedgerTotals;
}
const ledgerCache = new WeakMap<Db, CachedLedgerTotals>();

/**
 * The ledger totals, read in one snapshot so the total is exactly what the books say at that moment. Recomputed only
 * when money moved or an account was opened: entries and accounts are append-only, so their highest rowids (two
 * index lookups) identify the state, and a scrape of an idle ledger costs nothing but those lookups.
 */
export function ledgerTotals(db: Db): LedgerTotals {
  return db
    .transaction(() => {
      const watermark = db
        .prepare(
          `SELECT (SELECT COALESCE(MAX(id), 0) FROM ledger_entries) || ':' ||
                (SELECT COALESCE(MAX(rowid), 0) FROM ledger_accounts)`,
        )
        .pluck()
        .get() as string;
      const cached = ledgerCache.get(db);
      if (cached?.watermark === watermark) return cached.totals;
      const zero = () =>
        Object.fromEntries(ACCOUNT_KINDS.map((kind) => [kind, 0])) as Record<AccountKind, number>;
      const totals: LedgerTotals = {
        balanceByKind: zero(),
        accountsByKind: zero(),
        transactions: 0,
        total: 0,
      };
      const rows = db
        .prepare(
          'SELECT kind, SUM(balance) AS balance, COUNT(*) AS accounts FROM ledger_accounts GROUP BY kind',
        )
        .all() as { kind: AccountKind; balance: number; accounts: number }[];
      for (const row of rows) {
        totals.balanceByKind[row.kind] = row.balance;
        totals.accountsByKind[row.kind] = row.accounts;
        totals.total += row.balance;
      }
      totals.transactions = db.prepare('SELECT COUNT(*) FROM ledger_transactions').pluck().get() as number;
      ledgerCache.set(db, { watermark, totals });
      return totals;
    })
    .immediate();
}

/** One queue of the server's outbox: how many items wait, and since when the oldest. */
interface OutboxQueue {
  queue: string;
  count: number;
  oldest: string | null;
}

/**
 * The server's outbox: what it has handed to someone else and is still waiting on. Two queues: online top-up orders
 * without the payment provider's answer (paid or failed), and remote commands a kiosk has not acknowledged yet.
 * Kiosk outboxes live on the kiosks; `linli_device_sync_lag_seconds` bounds their lag. Both queries read partial
 * indexes of the open rows only (`device_commands_open`, `topup_orders_pending`), so a scrape costs what is open,
 * not the table's history.
 */
function outboxQueues(db: Db): OutboxQueue[] {
  const queues = [
    {
      queue: 'topup-callbacks',
      ...(db
        .prepare(
          "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM topup_orders WHERE status = 'pending'",
        )
        .get() as { count: number; oldest: string | null }),
    },
  ];
  // device_commands arrives with the fleet migration; a database migrated by an older build has no such table
  const hasCommands = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'device_commands'")
    .get();
  if (hasCommands) {
    queues.push({
      queue: 'device-commands',
      ...(db
        .prepare(
          `SELECT COUNT(*) AS count, MIN(issued_at) AS oldest FROM device_commands
           WHERE state IN ('pending', 'delivered')`,
        )
        .get() as { count: number; oldest: string | null }),
    });
  }
  return queues;
}

/** What the WAL checkpointer has done since start (`WalCheckpointer.counters`). */
export interface CheckpointCounters {
  rounds: number;
  restarts: number;
  errors: number;
}

/** The WAL's size on disk: its high-water mark since the last truncation (0 for an in-memory database). */
function walBytes(db: Db): number {
  if (db.memory) return 0;
  try {
    return fs.statSync(`${db.name}-wal`).size;
  } catch {
    return 0;
  }
}

/** The checkpointer's families, when it runs (`LINLI_WAL_CHECKPOINTER=0` leaves checkpoints to SQLite: none). */
function checkpointFamilies(checkpoints: CheckpointCounters | null) {
  if (!checkpoints) return [];
  return [
    {
      name: 'linli_wal_checkpoints_total',
      help: 'WAL checkpoint rounds of the checkpointer thread: pages copied back, WAL started over, or failed.',
      type: 'counter' as const,
      samples: [
        { labels: { result: 'copied' }, value: checkpoints.rounds },
        { labels: { result: 'restarted' }, value: checkpoints.restarts },
        { labels: { result: 'failed' }, value: checkpoints.errors },
      ],
    },
  ];
}

/** Collects the operational figures from the database and the process. */
export function collectMetrics(
  db: Db,
  now: Date,
  counter: RequestCounter = requestCounter,
  manifests: ManifestCounter = manifestCounter,
  checkpoints: CheckpointCounters | null = null,
): string {
  const onlineSince = new Date(now.getTime() - DEVICE_ONLINE_WINDOW_MS).toISOString();
  const devices = db
    .prepare(
      `SELECT
         SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) AS enrolled,
         SUM(CASE WHEN revoked_at IS NULL AND last_seen_at >= ? THEN 1 ELSE 0 END) AS online
       FROM devices`,
    )
    .get(onlineSince) as { enrolled: number | null; online: number | null };
  const content = db.prepare('SELECT status, COUNT(*) AS count FROM content_items GROUP BY status').all() as {
    status: string;
    count: number;
  }[];
  const lastSeen = db
    .prepare(
      'SELECT MIN(last_seen_at) AS oldest FROM devices WHERE revoked_at IS NULL AND last_seen_at IS NOT NULL',
    )
    .get() as { oldest: string | null };
  const version = schemaVersion(db);
  const ledger = ledgerTotals(db);
  const outbox = outboxQueues(db);
  const secondsSince = (iso: string | null) =>
    iso ? Math.max(0, (now.getTime() - Date.parse(iso)) / 1000) : 0;
  return renderPrometheus([
    {
      name: 'linli_http_requests_total',
      help: 'HTTP requests handled by SvelteKit, by method and status class (device fast-path 304s excluded).',
      type: 'counter',
      samples: counter.samples(),
    },
    {
      name: 'linli_devices_enrolled',
      help: 'Kiosks enrolled and not revoked.',
      type: 'gauge',
      samples: [{ value: devices.enrolled ?? 0 }],
    },
    {
      name: 'linli_devices_online',
      help: `Kiosks seen within the last ${DEVICE_ONLINE_WINDOW_MS / 60_000} minutes.`,
      type: 'gauge',
      samples: [{ value: devices.online ?? 0 }],
    },
    {
      // a kiosk's outbox drains when it reaches the server, so the longest silence bounds the outbox lag
      name: 'linli_device_sync_lag_seconds',
      help: 'Seconds since the least recently seen enrolled kiosk last called (upper bound of its outbox lag).',
      type: 'gauge',
      samples: [{ value: secondsSince(lastSeen.oldest) }],
    },
    {
      name: 'linli_manifest_responses_total',
      help: 'Manifest answers to kiosks: full (a new version was sent) or not-modified (304, the kiosk is current).',
      type: 'counter',
      samples: manifests.samples(),
    },
    {
      name: 'linli_ledger_balance_fen',
      help: 'Sum of ledger account balances by account kind, in fen (credit positive).',
      type: 'gauge',
      samples: ACCOUNT_KINDS.map((kind) => ({ labels: { kind }, value: ledger.balanceByKind[kind] })),
    },
    {
      name: 'linli_ledger_accounts',
      help: 'Ledger accounts by kind.',
      type: 'gauge',
      samples: ACCOUNT_KINDS.map((kind) => ({ labels: { kind }, value: ledger.accountsByKind[kind] })),
    },
    {
      name: 'linli_ledger_transactions',
      help: 'Ledger transactions recorded (immutable, so this only grows).',
      type: 'gauge',
      samples: [{ value: ledger.transactions }],
    },
    {
      // double entry: every transaction sums to zero, so any other value means the books are broken: alert on it
      name: 'linli_ledger_total_fen',
      help: 'Sum of all ledger account balances in fen; always 0 in a consistent ledger.',
      type: 'gauge',
      samples: [{ value: ledger.total }],
    },
    {
      name: 'linli_outbox_pending',
      help: 'Server outbox items waiting: top-up orders without a provider answer, kiosk commands not acknowledged.',
      type: 'gauge',
      samples: outbox.map(({ queue, count }) => ({ labels: { queue }, value: count })),
    },
    {
      name: 'linli_outbox_lag_seconds',
      help: 'Age of the oldest item still waiting in each server outbox queue (0 when the queue is empty).',
      type: 'gauge',
      samples: outbox.map(({ queue, oldest }) => ({ labels: { queue }, value: secondsSince(oldest) })),
    },
    {
      name: 'linli_content_items',
      help: 'Content item rows (one per locale), by status.',
      type: 'gauge',
      samples: content.map((row) => ({ labels: { status: row.status }, value: row.count })),
    },
    {
      name: 'linli_schema_version',
      help: 'Applied database schema version.',
      type: 'gauge',
      samples: [{ value: version }],
    },
    {
      name: 'linli_schema_pending_migrations',
      help: 'Migrations this build knows that the database has not applied.',
      type: 'gauge',
      samples: [{ value: Math.max(0, migrations.length - version) }],
    },
    {
      name: 'linli_wal_bytes',
      help: 'Size of the database WAL file: its high-water mark, bounded while checkpoints keep up.',
      type: 'gauge',
      samples: [{ value: walBytes(db) }],
    },
    ...checkpointFamilies(checkpoints),
    {
      name: 'linli_process_resident_memory_bytes',
      help: 'Resident set size of the server process.',
      type: 'gauge',
      samples: [{ value: process.memoryUsage.rss() }],
    },
    {
      name: 'linli_process_uptime_seconds',
      help: 'Seconds since the server process started.',
      type: 'gauge',
      samples: [{ value: Math.round(process.uptime()) }],
    },
  ]);
}

/**
 * True when the request carries the metrics token (`Authorization: Bearer <LINLI_METRICS_TOKEN>`). Compared in
 * constant time; with no token configured, /metrics stays closed.
 */
export function metricsAuthorised(configured: string | undefined, header: string | null): boolean {
  if (!configured || !header?.startsWith('Bearer ')) return false;
  const given = crypto.createHash('sha256').update(header.slice('Bearer '.length)).digest();
  const expected = crypto.createHash('sha256').update(configured).digest();
  return crypto.timingSafeEqual(given, expected);
}
