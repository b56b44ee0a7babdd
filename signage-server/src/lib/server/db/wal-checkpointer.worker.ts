import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from './database';
import { checkpointOnce, type CheckpointRound } from './wal-checkpoint';

/**
 * The WAL checkpointer thread (started by `WalCheckpointer`, wal-checkpointer.ts): its own connection to the
 * database file, checkpointing on a timer so that no writing connection pays for it inside a COMMIT.
 *
 * This module is its own entry: the main thread imports it only for `checkpointerModuleUrl` (a dynamic import, so
 * the server build gives it a chunk of its own) and starts a worker on that URL.
 */

/** Marks the worker's data, so that importing this module anywhere else does nothing. */
export const CHECKPOINTER_KIND = 'linli-wal-checkpointer';

/** Where this module is: the URL the main thread starts the worker on (the built chunk, or the .ts in tests). */
export const checkpointerModuleUrl = import.meta.url;

/** What the main thread hands the thread at start. */
export interface CheckpointerData {
  kind: typeof CHECKPOINTER_KIND;
  file: string;
  everyMs: number;
  restartAfterFrames: number;
}

/** thread → main: each round that did something (a failed round is reported and retried at the next tick). */
export type CheckpointerReport = { round: CheckpointRound } | { error: string } | 'ready';

function run(data: CheckpointerData, port: MessagePort): void {
  const db = openDatabase(data.file);
  // this connection never writes: its checkpoints are the rounds below
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    try {
      const round = checkpointOnce(db, data.restartAfterFrames);
      if (round.checkpointed > 0 || round.restarted) port.postMessage({ round } satisfies CheckpointerReport);
    } catch (error) {
      port.postMessage({ error: String((error as Error)?.message ?? error) } satisfies CheckpointerReport);
    }
    timer = setTimeout(tick, data.everyMs);
  };
  port.on('message', (message: 'close') => {
    if (message !== 'close') return;
    if (timer) clearTimeout(timer);
    db.close();
    port.close();
  });
  tick();
  port.postMessage('ready' satisfies CheckpointerReport);
}

if (!isMainThread && parentPort && (workerData as CheckpointerData | undefined)?.kind === CHECKPOINTER_KIND) {
  run(workerData as CheckpointerData, parentPort);
}
