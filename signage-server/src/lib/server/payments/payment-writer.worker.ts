import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { AuditService } from '../audit/audit.service';
import { systemClock } from '../clock';
import { openDatabase } from '../db/database';
import { createPaymentServices } from '../payments.services';
import type { CheckedPayment, PayBillsResult } from './payment.service';

/**
 * The payments writer thread (started by `PaymentWriter`, payment-writer.ts). It owns a second connection to the
 * database and runs the write half of bill payments there, with the same service code as the main thread:
 * `PaymentService.settlePayment`, whose group commit (`LedgerService.batched`) makes one IMMEDIATE transaction of
 * every payment that arrived while the previous batch was committing. The main thread keeps HTTP, authentication,
 * validation and PIN checks, so the two run on different cores.
 *
 * This module is its own entry: the main thread imports it only for `writerModuleUrl` (a dynamic import, so the
 * server build gives it a chunk of its own) and starts a worker on that URL.
 */

/** Marks the worker's data, so that importing this module anywhere else does nothing. */
export const WRITER_KIND = 'linli-payments-writer';

/** Where this module is: the URL the main thread starts the worker on (the built chunk, or the .ts in tests). */
export const writerModuleUrl = import.meta.url;

/** What the main thread hands the thread at start. */
export interface WriterData {
  kind: typeof WRITER_KIND;
  file: string;
  hashKey: Uint8Array;
  pinRequiredAbove: number;
  /** This connection's `wal_autocheckpoint` in pages: the backstop's, when the WAL checkpointer thread runs. */
  autocheckpoint: number;
}

/** main → thread: one payment to settle (they come in arrays: the payments one callback of the main thread dispatched). */
export interface WriterRequest {
  id: number;
  payment: CheckedPayment;
}

/** thread → main, after the COMMIT that holds them: the answers of a batch. */
export type WriterAnswer = { id: number; result: PayBillsResult } | { id: number; error: string };

function run(data: WriterData, port: MessagePort): void {
  const db = openDatabase(data.file);
  db.pragma(`wal_autocheckpoint = ${data.autocheckpoint}`);
  const { payments } = createPaymentServices({
    config: { pinRequiredAbove: data.pinRequiredAbove, simProviderSecret: undefined, onlineTopUp: 'off' },
    clock: systemClock,
    db,
    keys: { hashKey: Buffer.from(data.hashKey) },
    audit: new AuditService(db, systemClock),
    // only the station and the kiosk's lost-card report use it, never the write half of a payment
    phoneHash: () => {
      throw new Error('the payments writer thread does not hash phone numbers');
    },
  });

  // every promise of a batch settles in the same turn, after its COMMIT: one message carries them all
  let answers: WriterAnswer[] = [];
  const answer = (entry: WriterAnswer) => {
    if (answers.length === 0) {
      queueMicrotask(() => {
        const batch = answers;
        answers = [];
        port.postMessage(batch);
      });
    }
    answers.push(entry);
  };

  let open = 0;
  let closing = false;
  const closeWhenIdle = () => {
    if (!closing || open > 0) return;
    db.close();
    port.close();
  };

  port.on('message', (message: WriterRequest[] | 'close') => {
    if (message === 'close') {
      // messages arrive in order: every payment sent before 'close' is already queued, and finishes first
      closing = true;
      closeWhenIdle();
      return;
    }
    for (const { id, payment } of message) {
      open += 1;
      payments
        .settlePayment(payment)
        .then(
          (result) => answer({ id, result }),
          (error: unknown) => answer({ id, error: String((error as Error)?.message ?? error) }),
        )
        .finally(() => {
          open -= 1;
          closeWhenIdle();
        });
    }
  });
  port.postMessage('ready');
}

if (!isMainThread && parentPort && (workerData as WriterData | undefined)?.kind === WRITER_KIND) {
  run(workerData as WriterData, parentPort);
}
