import crypto from 'node:crypto';
import type { Db } from '../db/database';
import { schemaVersion } from '../db/database';
import { migrations } from '../db/migrations/index';

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

/** Collects the operational figures from the database and the process. */
export function collectMetrics(db: Db, now: Date, counter: RequestCounter = requestCounter): string {
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
      samples: [
        { value: lastSeen.oldest ? Math.max(0, (now.getTime() - Date.parse(lastSeen.oldest)) / 1000) : 0 },
      ],
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
