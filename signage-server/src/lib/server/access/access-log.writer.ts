import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import {
  ACCESS_LOG_INSERT_SQL,
  ACCESS_LOG_ROW_WIDTH,
  type AccessLogEntry,
  type AccessLogRows,
  type AccessRepository,
} from './access.repository';

/** How long attempts wait in memory before they are handed to the writer: the crash-loss window (README). */
export const ACCESS_LOG_FLUSH_MS = 20;
const ACCESS_LOG_FLUSH_ENTRIES = 256;
/** A writer thread without work for this long closes its connection and ends; the next batch starts a new one. */
const WORKER_IDLE_MS = 10_000;
/** How long `drain` (shutdown, reading the log) waits for the writer thread before writing the rest itself. */
const DRAIN_TIMEOUT_MS = 10_000;
/** After this many failed writer threads the log is written on the main thread for the rest of the run. */
const MAX_WORKER_FAILURES = 3;

/** Shared slots between the main thread and the writer thread. */
const COMMITTED = 0; // the sequence number of the last batch committed
const DEAD = 1; // 1 once the writer thread has given up

/**
 * The writer thread. It is plain CommonJS run with `eval` (not a module file) so that it runs the same from the
 * Vite server build, from vitest and from tsx without a bundler step; the SQL comes from the repository. Batches
 * arrive in order and each one is one transaction, so "committed up to N" is a single number in shared memory
 * the main thread can wait on without its event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const shared = new Int32Array(workerData.shared);
const giveUp = (error) => {
  parentPort.postMessage({ error: String((error && error.message) || error) });
  Atomics.store(shared, ${DEAD}, 1);
  Atomics.notify(shared, ${COMMITTED});
  process.exit(1);
};
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(workerData.sql);
  const width = workerData.width;
  const write = db.transaction((rows) => {
    for (let i = 0; i < rows.length; i += width)
      insert.run(new Date(rows[i]).toISOString(), rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5]);
  });
  parentPort.on('message', (message) => {
    if (message === 'close') {
      db.close();
      parentPort.close();
      return;
    }
    try {
      write.immediate(message.rows);
    } catch (error) {
      // a busy database gets one more chance before the main thread takes over
      try {
        write.immediate(message.rows);
      } catch (again) {
        giveUp(again);
        return;
      }
    }
    Atomics.store(shared, ${COMMITTED}, message.seq);
    Atomics.notify(shared, ${COMMITTED});
  });
} catch (error) {
  giveUp(error);
}
`;

/** Where and how the access log is written. */
export interface AccessLogWriterOptions {
  repository: AccessRepository;
  log: Logger;
  /** The database file the writer thread opens; null writes on the calling thread (in-memory databases). */
  file: string | null;
  /** better-sqlite3's entry point for the writer thread (tests point it elsewhere to make the thread fail). */
  driver?: string;
}

/**
 * Buffers door attempts and writes them to the access log off the request path.
 *
 * Attempts collect in memory for at most `ACCESS_LOG_FLUSH_MS` (or `ACCESS_LOG_FLUSH_ENTRIES`), then go as one
 * batch to a worker thread with its own SQLite connection, which commits each batch as one transaction. That
 * connection runs `synchronous = NORMAL`: in WAL mode a commit appends without an fsync, so a process crash loses
 * nothing committed and a power cut may lose the last entries; money and identities keep `synchronous = FULL` on
 * the main connection. Writing on the main thread held every waiting door controller for the length of a commit, and
 * for 20-50 ms whenever that commit ran SQLite's WAL checkpoint (measured: the p99 of `bench access-verify`).
 * `drain()` commits everything buffered before it returns (shutdown, reading the log); if the thread fails,
 * the main thread writes the batches it had not confirmed, so an attempt is never silently dropped.
 */
export class AccessLogWriter {
  private pending: AccessLogRows = [];
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private worker: Worker | null = null;
  private shared: Int32Array | null = null;
  private seq = 0;
  /** Batches handed to the current thread and not yet confirmed, by sequence number. */
  private readonly unconfirmed = new Map<number, AccessLogRows>();
  private failures = 0;
  private readonly driver: string;

  constructor(private readonly options: AccessLogWriterOptions) {
    this.driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  }

  /** Buffers one attempt (`atMs`: epoch milliseconds). */
  append(
    atMs: number,
    doorId: string,
    kind: AccessLogEntry['credentialKind'],
    subject: string | null,
    allow: boolean,
    reason: string,
  ): void {
    this.pending.push(atMs, doorId, kind, subject, allow ? 1 : 0, reason);
    if (this.pending.length >= ACCESS_LOG_FLUSH_ENTRIES * ACCESS_LOG_ROW_WIDTH) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), ACCESS_LOG_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Hands the buffered attempts on: to the writer thread, or written here when there is none. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const worker = this.options.file && this.failures < MAX_WORKER_FAILURES ? this.ensureWorker() : null;
    if (!worker) {
      this.writeHere(rows);
      return;
    }
    this.pruneConfirmed();
    const seq = ++this.seq;
    this.unconfirmed.set(seq, rows);
    worker.postMessage({ seq, rows });
    this.armIdle();
  }

  /** Flushes and waits until every attempt so far is committed (synchronously: also usable on shutdown). */
  drain(timeoutMs = DRAIN_TIMEOUT_MS): void {
    this.flush();
    const shared = this.shared;
    if (!this.worker || !shared) return;
    const target = this.seq;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const committed = Atomics.load(shared, COMMITTED);
      if (committed >= target) break;
      if (Atomics.load(shared, DEAD) === 1) {
        this.takeOver('the access log writer thread failed');
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        // better a possible duplicate row than a lost one: the thread may still commit what it holds
        this.takeOver('the access log writer thread did not confirm in time');
        return;
      }
      Atomics.wait(shared, COMMITTED, committed, left);
    }
    this.pruneConfirmed();
  }

  /** Drains and ends the writer thread. */
  close(): void {
    this.drain();
    this.stopWorker();
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          shared: shared.buffer,
          driver: this.driver,
          file: this.options.file,
          sql: ACCESS_LOG_INSERT_SQL,
          width: ACCESS_LOG_ROW_WIDTH,
        },
      });
    } catch (error) {
      // no thread to be had (resource limits): this batch and the next ones are written here
      this.failures += 1;
      this.options.log.error({ error: (error as Error).message }, 'access log writer thread failed to start');
      return null;
    }
    // the thread must not keep a CLI or a test process alive; the server drains it on shutdown
    worker.unref();
    worker.on('message', (message: { error?: string }) => {
      if (message.error) this.options.log.error({ error: message.error }, 'access log writer thread failed');
    });
    worker.on('error', (error) =>
      this.options.log.error({ error: error.message }, 'access log writer thread failed'),
    );
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      if (code !== 0 || Atomics.load(shared, DEAD) === 1) this.takeOver('the access log writer thread ended');
      else this.worker = null;
    });
    this.seq = 0;
    this.unconfirmed.clear();
    this.worker = worker;
    this.shared = shared;
    return worker;
  }

  /** The thread failed: write what it had not confirmed here, and start a new one for the next batch. */
  private takeOver(why: string): void {
    const shared = this.shared;
    const committed = shared ? Atomics.load(shared, COMMITTED) : 0;
    const left = [...this.unconfirmed].filter(([seq]) => seq > committed).map(([, rows]) => rows);
    this.failures += 1;
    this.options.log.error(
      { batches: left.length, failures: this.failures },
      `${why}: writing its batches on the main thread`,
    );
    this.stopWorker();
    for (const rows of left) this.writeHere(rows);
  }

  private stopWorker(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    this.shared = null;
    this.unconfirmed.clear();
    if (!worker) return;
    // asked, not terminated: a thread that is still committing finishes its transaction first
    worker.postMessage('close');
  }

  private armIdle(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        this.drain();
        this.stopWorker();
      }, WORKER_IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private pruneConfirmed(): void {
    if (!this.shared) return;
    const committed = Atomics.load(this.shared, COMMITTED);
    for (const seq of this.unconfirmed.keys()) {
      if (seq > committed) break;
      this.unconfirmed.delete(seq);
    }
  }

  private writeHere(rows: AccessLogRows): void {
    try {
      this.options.repository.appendLog(rows);
    } catch (error) {
      // keep the entries for the next attempt rather than lose the record of who opened a door
      this.pending = rows.concat(this.pending);
      this.options.log.error(
        { error: (error as Error).message, entries: rows.length / ACCESS_LOG_ROW_WIDTH },
        'access log write failed',
      );
    }
  }
}
