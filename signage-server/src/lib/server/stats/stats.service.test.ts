import { randomUUID } from 'node:crypto';
import type { DeviceStatsBatchV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditService } from '../audit/audit.service';
import { ManualClock } from '../clock';
import { migrate, openDatabase, type Db } from '../db/database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { purgeExpired, RetentionPolicy } from '../../../cli/retention';
import { StatsRepository } from './stats.repository';
import { dayIn, statsCsv, StatsService } from './stats.service';

let dir: string;
let db: Db;
let clock: ManualClock;
let stats: StatsService;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-stats-'));
  db = openDatabase(path.join(dir, 'linli.db'));
  migrate(db);
  clock = new ManualClock(new Date('2026-11-25T02:00:00.000Z'));
  db.exec(`
    INSERT INTO communities (id, name, time_zone, created_at) VALUES ('c', '幸福里', 'Asia/Shanghai', 'x');
    INSERT INTO devices (id, name, community_id, credential_hash, created_at) VALUES ('d1', '1号楼大堂', 'c', 'h1', 'x');
    INSERT INTO devices (id, name, community_id, credential_hash, created_at) VALUES ('d2', '西门', 'c', 'h2', 'x');
  `);
  stats = new StatsService(
    new StatsRepository(db),
    { timeZoneOfDevice: () => 'Asia/Shanghai' },
    new AuditService(db, clock),
    clock,
    90,
  );
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const play = (itemId: string, startedAt: string, durationMs = 8_000) => ({
  itemId,
  assetSha256: null,
  zone: 'main' as const,
  startedAt,
  durationMs,
});
const batch = (over: Partial<DeviceStatsBatchV1> = {}): DeviceStatsBatchV1 => ({
  batchId: randomUUID(),
  plays: [],
  touches: [],
  ...over,
});

describe('proof-of-play statistics', () => {
  it('counts a batch once, however often the kiosk sends it', () => {
    const first = batch({
      plays: [play('a', '2026-11-25T01:00:00.000Z'), play('a', '2026-11-25T01:00:08.000Z')],
    });
    expect(stats.receive('d1', first)).toEqual({
      batchId: first.batchId,
      plays: 2,
      touches: 0,
      replayed: false,
    });
    expect(stats.receive('d1', first)).toEqual({
      batchId: first.batchId,
      plays: 2,
      touches: 0,
      replayed: true,
    });
    expect(db.prepare('SELECT COUNT(*) FROM play_events').pluck().get()).toBe(2);
    // the same id from another device is another batch
    expect(stats.receive('d2', first).replayed).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM play_events').pluck().get()).toBe(4);
  });

  it('aggregates per item, device and day in the community time zone', () => {
    stats.receive(
      'd1',
      batch({
        plays: [
          // 23:30 Shanghai on the 24th, and 00:30 on the 25th: two different days although both are the 24th in UTC
          play('a', '2026-11-24T15:30:00.000Z', 10_000),
          play('a', '2026-11-24T16:30:00.000Z', 12_000),
          play('a', '2026-11-24T16:31:00.000Z', 8_000),
          {
            itemId: null,
            assetSha256: 'e'.repeat(64),
            zone: 'attract',
            startedAt: '2026-11-24T16:32:00.000Z',
            durationMs: 5_000,
          },
        ],
        touches: [{ itemId: 'a', openedAt: '2026-11-24T17:00:00.000Z', dwellMs: 30_000 }],
      }),
    );
    stats.receive('d2', batch({ plays: [play('a', '2026-11-24T17:00:00.000Z', 9_000)] }));
    const report = stats.report({ from: '2026-11-24', to: '2026-11-25' });
    const rows = report.rows.map(({ day, deviceId, subject, plays, playSeconds, touches, dwellSeconds }) => ({
      day,
      deviceId,
      subject,
      plays,
      playSeconds,
      touches,
      dwellSeconds,
    }));
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          day: '2026-11-24',
          deviceId: 'd1',
          subject: 'a',
          plays: 1,
          playSeconds: 10,
          touches: 0,
          dwellSeconds: 0,
        },
        {
          day: '2026-11-25',
          deviceId: 'd1',
          subject: 'a',
          plays: 2,
          playSeconds: 20,
          touches: 1,
          dwellSeconds: 30,
        },
        {
          day: '2026-11-25',
          deviceId: 'd2',
          subject: 'a',
          plays: 1,
          playSeconds: 9,
          touches: 0,
          dwellSeconds: 0,
        },
        {
          day: '2026-11-25',
          deviceId: 'd1',
          subject: `asset:${'e'.repeat(64)}`,
          plays: 1,
          playSeconds: 5,
          touches: 0,
          dwellSeconds: 0,
        },
      ]),
    );
    expect(rows).toHaveLength(4);
    expect(report.days).toEqual([
      { day: '2026-11-24', plays: 1, touches: 0 },
      { day: '2026-11-25', plays: 4, touches: 1 },
    ]);
    // a day without plays still has its (empty) bar
    expect(stats.report({ from: '2026-11-23', to: '2026-11-25' }).days[0]).toEqual({
      day: '2026-11-23',
      plays: 0,
      touches: 0,
    });
    expect(stats.report({ from: '2026-11-25', to: '2026-11-25', deviceId: 'd2' }).rows).toHaveLength(1);

    const csv = statsCsv(report.rows, (subject) => (subject === 'a' ? '停水通知, "紧急"' : ''));
    expect(csv.startsWith('\uFEFFday,device_id,device,item,title,plays')).toBe(true);
    expect(csv).toContain('2026-11-25,d1,1号楼大堂,a,"停水通知, ""紧急""",2,20,1,30');
  });

  it('neutralises spreadsheet formulas in the CSV', () => {
    stats.receive('d1', batch({ plays: [play('a', '2026-11-25T01:00:00.000Z')] }));
    const csv = statsCsv(
      stats.report({ from: '2026-11-25', to: '2026-11-25' }).rows,
      () => '=HYPERLINK("x")',
    );
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('purges what is older than the retention period, audited', () => {
    stats.receive('d1', batch({ plays: [play('old', '2026-08-01T00:00:00.000Z')] }));
    stats.receive('d1', batch({ plays: [play('new', '2026-11-20T00:00:00.000Z')] }));
    clock.set(new Date('2026-11-25T02:00:00.000Z'));
    expect(stats.purge()).toMatchObject({ plays: 1, touches: 0 });
    expect(db.prepare('SELECT item_id FROM play_events').pluck().all()).toEqual(['new']);
    expect(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'stats.purge'").pluck().get()).toBe(1);
    expect(stats.purge(3)).toMatchObject({ plays: 1 });
    expect(db.prepare('SELECT COUNT(*) FROM play_events').pluck().get()).toBe(0);
  });

  it('is part of `linli purge`, with LINLI_STATS_RETENTION_DAYS', () => {
    stats.receive(
      'd1',
      batch({ plays: [play('old', '2026-10-01T00:00:00.000Z'), play('new', '2026-11-24T00:00:00.000Z')] }),
    );
    const report = purgeExpired(db, dir, RetentionPolicy.parse({ statsDays: '30' }), clock);
    expect(report.stats).toMatchObject({ plays: 1 });
    expect(db.prepare('SELECT item_id FROM play_events').pluck().all()).toEqual(['new']);
    expect(RetentionPolicy.parse({}).statsDays).toBe(90);
  });

  it('names the calendar day in a zone', () => {
    expect(dayIn(Date.parse('2026-11-24T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-11-25');
    expect(dayIn(Date.parse('2026-11-24T16:00:00.000Z'), 'Europe/Berlin')).toBe('2026-11-24');
  });
});
