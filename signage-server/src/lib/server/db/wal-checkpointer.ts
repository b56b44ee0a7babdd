import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread';
import type { Db } from './database';
import { checkpointOnce } from './wal-checkpoint';
import type { CheckpointerData, CheckpointerReport } from './wal-checkpointer.worker';

/** How often the WAL is checkpointed. */
export const CHECKPOINT_EVERY_MS = 100;
/** 16 MiB of 4 KiB pages: past this the WAL is started over (`checkpointOnce`). */
export const RESTART_AFTER_FRAMES = 4096;
/**
 * The writing connections' own autocheckpoint while the checkpointer runs: 64 MiB of 4 KiB pages, 16 times the
 * restart threshold, so they never checkpoint while the checkpointer keeps up. It is the backstop when it cannot
 * (a writer that holds the lock without pause starves RESTART, or the thread is gone): the WAL stays bounded.
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;
/** After this many checkpointer threads have died, the main thread checkpoints for the rest of the run. */
const MAX_THREAD_FAILURES = 3;

/** Where and how often to checkpoint. */
export interface WalCheckpointerOptions {
  /** The main thread's connection: its commits checkpoint only as the backstop; the fallback checkpoints on it. */
  db: Db;
  everyMs?: number;
  restartAfterFrames?: number;
  log: (line: string) => void;
}

/**
 * Checkpoints the server's WAL from a thread of its own (docs/ledger.md, Round 9). By default SQLite checkpoints
 * inside the COMMIT that pushes the WAL past 1,000 pages, on the connection that made it: with the payments writer
 * thread that is the writer, the server's one serial stage, and every thirtieth batch of payments waited for
 * pages to be copied and the database file to be fsynced. Here the writing connections checkpoint only as a
 * backstop (`BACKSTOP_AUTOCHECKPOINT_PAGES`) and this thread checkpoints every `everyMs`, so the copying and its
 * fsync run beside the writes on the other core. Durability does not change: a commit is durable once its WAL
 * frames are synced, which `synchronous=FULL` still does in every COMMIT.
 *
 * If the thread cannot start, or dies `MAX_THREAD_FAILURES` times, the main thread checkpoints on the same timer: it
 * blocks the event loop for each round, which is slower but keeps the WAL small.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private fallback: NodeJS.Timeout | null = null;
  private failures = 0;
  private closing = false;
  private exited: Promise<void> = Promise.resolve();
  /** Rounds that copied pages, rounds that started the WAL over, and failed rounds (since start). */
  readonly counters = { rounds: 0, restarts: 0, errors: 0 };
  private readonly everyMs: number;
  private readonly restartAfterFrames: number;

  private constructor(
    private readonly options: WalCheckpointerOptions,
    private readonly moduleUrl: string | null,
  ) {
    this.everyMs = options.everyMs ?? CHECKPOINT_EVERY_MS;
    this.restartAfterFrames = options.restartAfterFrames ?? RESTART_AFTER_FRAMES;
  }

  /**
   * Starts checkpointing `options.db`'s file. From here on, connections that write to the file should set
   * `wal_autocheckpoint` to `BACKSTOP_AUTOCHECKPOINT_PAGES` (this does it for `options.db`; the payments writer
   * thread does it for its own).
   */
  static async start(options: WalCheckpointerOptions): Promise<WalCheckpointer> {
    // a dynamic import: the server build puts the thread's entry in a chunk of its own, whose URL this is
    const moduleUrl = await import('./wal-checkpointer.worker').then(
      (module) => module.checkpointerModuleUrl,
      () => null,
    );
    const checkpointer = new WalCheckpointer(options, moduleUrl);
    options.db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    checkpointer.spawn();
    return checkpointer;
  }

  /** Whether a checkpointer thread is running (false on the main-thread fallback, and after `close`). */
  get threaded(): boolean {
    return this.worker !== null;
  }

  /** Stops checkpointing; the main connection checkpoints by itself again (SQLite's default, 1,000 pages). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.fallback) clearInterval(this.fallback);
    this.fallback = null;
    this.worker?.postMessage('close');
    await this.exited;
    this.options.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Ends the thread abruptly, as a crash would (tests). */
  async terminateThread(): Promise<void> {
    const exited = this.exited;
    await this.worker?.terminate();
    await exited;
  }

  private spawn(): void {
    if (!this.moduleUrl) return this.checkpointHere('its module did not load');
    const data: CheckpointerData = {
      kind: 'linli-wal-checkpointer',
      file: this.options.db.name,
      everyMs: this.everyMs,
      restartAfterFrames: this.restartAfterFrames,
    };
    let worker: Worker;
    try {
      worker = startModuleWorker(this.moduleUrl, data);
    } catch (error) {
      this.failures = MAX_THREAD_FAILURES;
      return this.checkpointHere((error as Error).message);
    }
    // the server's own handles keep it alive; a test or CLI must not wait for the thread
    worker.unref();
    this.worker = worker;
    worker.on('message', (report: CheckpointerReport) => this.count(report));
    worker.on('error', (error) => this.options.log(`WAL checkpointer thread failed: ${error.message}`));
    this.exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.onExit(worker, code);
        resolve();
      });
    });
  }

  private count(report: CheckpointerReport): void {
    if (report === 'ready') return;
    if ('error' in report) {
      this.counters.errors += 1;
      this.options.log(`WAL checkpoint failed (retried in ${this.everyMs} ms): ${report.error}`);
      return;
    }
    if (report.round.checkpointed === 0 && !report.round.restarted) return;
    this.counters.rounds += 1;
    if (report.round.restarted) this.counters.restarts += 1;
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    if (this.closing && code === 0) return;
    this.failures += 1;
    this.options.log(`WAL checkpointer thread ended (exit code ${code})`);
    if (this.closing) return;
    if (this.failures < MAX_THREAD_FAILURES) this.spawn();
    else this.checkpointHere(`it ended ${this.failures} times`);
  }

  /** The fallback: the same rounds on the main thread's connection. */
  private checkpointHere(why: string): void {
    this.options.log(`WAL checkpointer thread unavailable (${why}): checkpointing on the main thread`);
    this.fallback = setInterval(() => {
      try {
        this.count({ round: checkpointOnce(this.options.db, this.restartAfterFrames) });
      } catch (error) {
        this.count({ error: (error as Error).message });
      }
    }, this.everyMs);
    this.fallback.unref();
  }
}

/**
 * The server's checkpointer for a database file (none for an in-memory database, or with
 * LINLI_WAL_CHECKPOINTER=0: then every connection checkpoints inside its own commits, SQLite's default).
 */
export async function startWalCheckpointer(
  db: Db,
  log: (line: string) => void = console.log,
): Promise<WalCheckpointer | null> {
  if (db.memory || process.env.LINLI_WAL_CHECKPOINTER === '0') return null;
  return WalCheckpointer.start({ db, log });
}
