import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from '../db/database';
import { createLogger } from '../logger';
import { AccessLogWriter } from './access-log.writer';
import { AccessRepository } from './access.repository';

let dataDir: string;
let file: string;
let db: Db;
let logLines: string[];
let writers: AccessLogWriter[];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-access-log-'));
  file = path.join(dataDir, 'linli.db');
  db = openDatabase(file);
  migrate(db);
  logLines = [];
  writers = [];
});
afterEach(() => {
  for (const writer of writers) writer.close();
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function writer(driver?: string): AccessLogWriter {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const created = new AccessLogWriter({
    repository: new AccessRepository(db),
    log: createLogger('access-test', { LINLI_LOG_LEVEL: 'debug' }, sink),
    file,
    ...(driver ? { driver } : {}),
  });
  writers.push(created);
  return created;
}

/** The access log as another process would read it: a connection of its own. */
function rowsOnDisk(): {
  at: string;
  door_id: string;
  subject: string | null;
  allow: number;
  reason: string;
}[] {
  const reader = openDatabase(file);
  try {
    return reader.prepare('SELECT at, door_id, subject, allow, reason FROM access_log ORDER BY id').all() as {
      at: string;
      door_id: string;
      subject: string | null;
      allow: number;
      reason: string;
    }[];
  } finally {
    reader.close();
  }
}

const T0 = Date.parse('2026-11-25T08:00:00.000Z');

describe('access log writer', () => {
  it('writes every attempt, in order, and drain commits them', () => {
    const log = writer();
    for (let i = 0; i < 1_000; i++)
      log.append(T0 + i, `door-${i % 3}`, 'qr', i % 5 ? `pass-${i}` : null, i % 2 === 0, 'ok-visitor-pass');
    log.drain();
    const rows = rowsOnDisk();
    expect(rows).toHaveLength(1_000);
    expect(rows[0]).toEqual({
      at: '2026-11-25T08:00:00.000Z',
      door_id: 'door-0',
      subject: null,
      allow: 1,
      reason: 'ok-visitor-pass',
    });
    expect(rows[999]).toMatchObject({ at: '2026-11-25T08:00:00.999Z', door_id: 'door-0', allow: 0 });
    expect(rows.map((r) => r.at)).toEqual([...rows.map((r) => r.at)].sort());
  });

  it('does not hold the caller while the database is locked, and writes once it is free', () => {
    const log = writer();
    log.append(T0, 'gate-xingfuli', 'qr', 'pass-1', true, 'ok-visitor-pass');
    log.drain(); // the writer thread is running
    const blocker = openDatabase(file);
    blocker.prepare('BEGIN IMMEDIATE').run();
    try {
      const started = performance.now();
      for (let i = 0; i < 600; i++)
        log.append(T0 + i, 'gate-xingfuli', 'card', 'AABBCCDD', false, 'unknown-card');
      log.flush();
      // on the main thread this would wait for the lock (busy_timeout: 5 s)
      expect(performance.now() - started).toBeLessThan(500);
      expect(rowsOnDisk()).toHaveLength(1);
    } finally {
      blocker.prepare('COMMIT').run();
      blocker.close();
    }
    log.drain();
    expect(rowsOnDisk()).toHaveLength(601);
  });

  it('loses nothing when closed right after the last attempt', () => {
    const log = writer();
    for (let i = 0; i < 50; i++)
      log.append(T0 + i, 'bldg-xingfuli-b2', 'qr', `p-${i}`, true, 'ok-visitor-pass');
    log.close();
    expect(rowsOnDisk()).toHaveLength(50);
  });

  it('writes on the main thread when the writer thread fails, and says so', () => {
    const log = writer(path.join(dataDir, 'no-such-driver.js'));
    for (let i = 0; i < 10; i++) log.append(T0 + i, 'gate-xingfuli', 'qr', null, false, 'malformed');
    log.drain();
    expect(rowsOnDisk()).toHaveLength(10);
    expect(logLines.join('')).toContain('writing its batches on the main thread');
    // and keeps working afterwards
    log.append(T0 + 10, 'gate-xingfuli', 'qr', null, false, 'malformed');
    log.drain();
    expect(rowsOnDisk()).toHaveLength(11);
  });
});
