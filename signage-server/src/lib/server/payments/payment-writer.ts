import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread';
import type { CheckedPayment, PayBillsResult } from './payment.service';
import type { WriterAnswer, WriterData, WriterRequest } from './payment-writer.worker';

/** After this many writer threads have died, payments are written on the main thread for the rest of the run. */
const MAX_WORKER_FAILURES = 3;

/** Where and how the payments writer thread writes. */
export interface PaymentWriterOptions {
  /** The database file (the thread opens its own connection to it). */
  file: string;
  hashKey: Buffer;
  pinRequiredAbove: number;
  /**
   * The thread's `wal_autocheckpoint` in pages (SQLite's default: 1,000). When another thread checkpoints the WAL
   * (`WalCheckpointer`), its backstop, so that the writer's COMMITs do not checkpoint while that thread keeps up.
   */
  autocheckpoint?: number;
  /** The write half on this thread's connection: used whenever there is no writer thread. */
  local: (payment: CheckedPayment) => Promise<PayBillsResult>;
  log: (line: string) => void;
}

interface Sent {
  payment: CheckedPayment;
  resolve: (result: PayBillsResult) => void;
  reject: (error: Error) => void;
}

/**
 * Runs the write half of bill payments (`PaymentService.settlePayment`) in a worker thread with its own
 * connection (payment-writer.worker.ts), so that HTTP on the main thread and SQL + fsync in the writer overlap on
 * two cores (docs/ledger.md). A payment's promise settles only when the thread reports the COMMIT holding it.
 *
 * - **Retries in flight**: a payment whose (scope, key) is still in flight waits for it, then goes the same way
 *   and finds the key committed: it gets the first answer replayed (or `idempotency-mismatch`), never a second
 *   charge — also when the two would otherwise have run on different connections.
 * - **The thread dies**: its connection goes with it, so what it committed is in the database and the rest was
 *   rolled back. The payments it had not answered are run again on the main thread's connection: a committed one
 *   finds its key and replays its stored answer, the others are applied now. None is lost, none applied twice.
 *   A new thread is started for later payments, up to `MAX_WORKER_FAILURES` times.
 * - **Shutdown**: `close()` lets the thread finish every payment it was sent, then waits for it to end.
 */
export class PaymentWriter {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly sent = new Map<number, Sent>();
  /** Payments of this turn, posted together by `post`. */
  private outbox: WriterRequest[] = [];
  private readonly inFlight = new Map<string, Promise<PayBillsResult>>();
  private failures = 0;
  private closing = false;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: PaymentWriterOptions,
    private readonly moduleUrl: string,
  ) {}

  /** Starts the writer thread. */
  static async start(options: PaymentWriterOptions): Promise<PaymentWriter> {
    // a dynamic import: the server build puts the thread's entry in a chunk of its own, whose URL this is
    const { writerModuleUrl } = await import('./payment-writer.worker');
    const writer = new PaymentWriter(options, writerModuleUrl);
    writer.spawn();
    return writer;
  }

  /** Whether a writer thread is running (false once it has failed too often, or after `close`). */
  get threaded(): boolean {
    return this.worker !== null;
  }

  /** The write half of one payment; settles after the COMMIT holding it. */
  settle(payment: CheckedPayment): Promise<PayBillsResult> {
    const slot = `${payment.idempotency.scope}\n${payment.idempotency.key}`;
    const earlier = this.inFlight.get(slot);
    const settled = earlier
      ? earlier.then(
          () => this.dispatch(payment),
          () => this.dispatch(payment),
        )
      : this.dispatch(payment);
    this.inFlight.set(slot, settled);
    const forget = () => {
      if (this.inFlight.get(slot) === settled) this.inFlight.delete(slot);
    };
    settled.then(forget, forget);
    return settled;
  }

  /** Lets the thread finish what it was sent, and ends it. Later payments are written on the main thread. */
  async close(): Promise<void> {
    this.closing = true;
    this.post();
    this.worker?.postMessage('close');
    await this.exited;
  }

  /** Ends the thread abruptly, as a crash would (tests): its unanswered payments go the way `onExit` says. */
  async terminateThread(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = this.exited;
    await worker.terminate();
    await exited;
  }

  private dispatch(payment: CheckedPayment): Promise<PayBillsResult> {
    if (!this.worker) return this.options.local(payment);
    return new Promise<PayBillsResult>((resolve, reject) => {
      const id = ++this.seq;
      this.sent.set(id, { payment, resolve, reject });
      // the payments dispatched together go in one message; it leaves as soon as the current callback is done. The
      // thread batches whatever reached it while it was committing, so waiting here for the rest of the event
      // loop's turn (setImmediate) only added latency: measured 9 % fewer payments/s (docs/ledger.md, Round 9)
      this.outbox.push({ id, payment });
      if (this.outbox.length === 1) queueMicrotask(() => this.post());
    });
  }

  private post(): void {
    const requests = this.outbox;
    this.outbox = [];
    // without a thread, `onExit` has already handed these to the main thread (they are in `sent`)
    if (requests.length > 0) this.worker?.postMessage(requests);
  }

  private spawn(): void {
    const data: WriterData = {
      kind: 'linli-payments-writer',
      file: this.options.file,
      hashKey: new Uint8Array(this.options.hashKey),
      pinRequiredAbove: this.options.pinRequiredAbove,
      autocheckpoint: this.options.autocheckpoint ?? 1000,
    };
    let worker: Worker;
    try {
      worker = startModuleWorker(this.moduleUrl, data);
    } catch (error) {
      this.failures = MAX_WORKER_FAILURES;
      this.options.log(`payments writer thread failed to start (${(error as Error).message}): writing here`);
      return;
    }
    // the server's own handles keep it alive; a test or CLI must not wait for the thread
    worker.unref();
    this.worker = worker;
    worker.on('message', (message: WriterAnswer[] | 'ready') => {
      if (message === 'ready') return;
      for (const answer of message) {
        const item = this.sent.get(answer.id);
        if (!item) continue;
        this.sent.delete(answer.id);
        if ('error' in answer) item.reject(new Error(answer.error));
        else item.resolve(answer.result);
      }
    });
    worker.on('error', (error) => this.options.log(`payments writer thread failed: ${error.message}`));
    this.exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.onExit(worker, code);
        resolve();
      });
    });
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const left = [...this.sent.values()];
    this.sent.clear();
    this.outbox = [];
    if (!this.closing || code !== 0) {
      this.failures += 1;
      this.options.log(
        `payments writer thread ended (exit code ${code}, ${left.length} payments unanswered): ` +
          'writing them on the main thread',
      );
    }
    // the thread's connection is closed: each of these was committed (its key replays) or rolled back (applied now)
    for (const item of left) this.options.local(item.payment).then(item.resolve, item.reject);
    if (!this.closing && this.failures < MAX_WORKER_FAILURES) this.spawn();
  }
}
