import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { checkpointOnce, RESTART_WAIT_MS } from './wal-checkpoint';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './wal-checkpointer';

// The WAL checkpointer over a real database file: its thread runs the sources through tsx with its own connection,
// while a second connection in the test writes with the backstop's autocheckpoint, as the payments writer thread does.

let dir: string;
let main: Db;
let writer: Db;
let logs: string[];
let checkpointer: WalCheckpointer | null;

const PAGE = 4096;
const walFile = () => `${main.name}-wal`;
const walBytes = () => (fs.existsSync(walFile()) ? fs.statSync(walFile()).size : 0);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-checkpointer-'));
  main = openDatabase(path.join(dir, 'linli.db'));
  main.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, pad BLOB NOT NULL)');
  writer = openDatabase(main.name);
  writer.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  logs = [];
  checkpointer = null;
});
afterEach(async () => {
  await checkpointer?.close();
  writer.close();
  main.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `count` commits of about four pages each, with pauses between them as between a writer's batches. */
async function write(count: number) {
  const insert = writer.prepare('INSERT INTO t (n, pad) VALUES (?, randomblob(3000))');
  const commit = writer.transaction((n: number) => {
    for (let i = 0; i < 4; i++) insert.run(n);
  });
  for (let n = 0; n < count; n++) {
    commit(n);
    if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A checkpointer on `main` with a short timer and a small restart threshold, logging into `logs`. */
const startCheckpointer = () =>
  WalCheckpointer.start({ db: main, everyMs: 5, restartAfterFrames: 64, log: (line) => logs.push(line) });

const until = async (done: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('checkpointOnce', () => {
  it('copies the WAL back without starting it over until it holds the restart threshold', () => {
    const insert = writer.prepare('INSERT INTO t (n, pad) VALUES (1, randomblob(3000))');
    for (let n = 0; n < 10; n++) insert.run();
    const small = checkpointOnce(main, 1_000);
    expect(small).toMatchObject({ restarted: false });
    expect(small.checkpointed).toBe(small.log);
    expect(small.log).toBeGreaterThanOrEqual(10);
    // past the threshold: RESTART, and the next commit writes from the WAL's start (the file stops growing)
    for (let n = 0; n < 40; n++) insert.run();
    expect(checkpointOnce(main, 20)).toMatchObject({ restarted: true });
    const before = walBytes();
    for (let n = 0; n < 5; n++) insert.run();
    expect(walBytes()).toBe(before);
    expect(main.prepare('SELECT count(*) FROM t').pluck().get()).toBe(55);
  });

  it('gives the RESTART up after a short wait while a reader still uses the old frames', () => {
    const insert = writer.prepare('INSERT INTO t (n, pad) VALUES (1, randomblob(3000))');
    for (let n = 0; n < 40; n++) insert.run();
    // a long read (a large export) holds its snapshot
    const reader = new Database(main.name, { readonly: true });
    reader.exec('BEGIN');
    expect(reader.prepare('SELECT count(*) FROM t').pluck().get()).toBe(40);
    for (let n = 0; n < 10; n++) insert.run();
    const started = Date.now();
    expect(checkpointOnce(main, 20)).toMatchObject({ restarted: false });
    // the write lock was held for RESTART_WAIT_MS, not for the connection's busy_timeout (5 s)
    expect(Date.now() - started).toBeLessThan(RESTART_WAIT_MS * 10);
    expect(main.pragma('busy_timeout', { simple: true })).toBe(5000);
    reader.exec('COMMIT');
    reader.close();
    expect(checkpointOnce(main, 20)).toMatchObject({ restarted: true });
  });
});

describe('WalCheckpointer', () => {
  it('keeps the WAL bounded under sustained writes, and loses nothing', async () => {
    checkpointer = await startCheckpointer();
    expect(checkpointer.threaded).toBe(true);
    // the main connection's own commits checkpoint only as the backstop while the thread does it
    expect(main.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
    // the thread's first round (it loads the sources through tsx first, which takes a moment here)
    await write(10);
    await until(() => checkpointer!.counters.rounds > 0);
    await write(1_490);
    await until(() => checkpointer!.counters.restarts > 0);
    // 1,500 commits wrote ≈ 6,000 frames (24 MB); restarts keep the file to a few hundred frames
    expect(walBytes()).toBeLessThan(1_500 * PAGE);
    expect(checkpointer.counters.rounds).toBeGreaterThan(1);
    expect(checkpointer.counters.errors).toBe(0);
    // everything committed is there, read by a connection that did not write it, and the file is sound
    const reader = new Database(main.name, { readonly: true });
    expect(reader.prepare('SELECT count(*) FROM t').pluck().get()).toBe(6_000);
    reader.close();
    expect(main.pragma('integrity_check', { simple: true })).toBe('ok');
    await checkpointer.close();
    checkpointer = null;
    expect(main.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(logs).toEqual([]);
  });

  it('starts a new thread when the thread dies, and checkpoints on the main thread after three deaths', async () => {
    checkpointer = await startCheckpointer();
    for (let death = 1; death <= 3; death++) {
      await until(() => checkpointer!.threaded);
      await checkpointer.terminateThread();
      expect(logs.filter((line) => line.includes('thread ended'))).toHaveLength(death);
    }
    expect(checkpointer.threaded).toBe(false);
    expect(logs.at(-1)).toMatch(/checkpointing on the main thread/);
    // the fallback still restarts the WAL
    const restarts = checkpointer.counters.restarts;
    await write(400);
    await until(() => checkpointer!.counters.restarts > restarts);
    expect(main.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1_600);
  });
});
