import type { Db } from './database';

/** What one checkpoint round did, in WAL frames (one frame is one page). */
export interface CheckpointRound {
  /** Frames in the WAL when it was checkpointed (after a restart, the next commit writes from its start). */
  log: number;
  /** Frames copied back into the database file so far. */
  checkpointed: number;
  /** Whether the round started the WAL over (RESTART). */
  restarted: boolean;
}

/**
 * How long a RESTART may wait for readers. It holds the write lock while it waits, so payments wait too: a long
 * read (a large export) makes it give up instead, and the next round tries again.
 */
export const RESTART_WAIT_MS = 50;

interface PragmaCheckpoint {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * One checkpoint round. PASSIVE first: it copies committed pages back into the database file without taking the
 * write lock, so writers go on meanwhile. But a PASSIVE checkpoint never starts the WAL over while writes keep
 * coming (a writer restarts it only when it begins at a moment when everything is copied back), so under sustained
 * load the file would grow without end. Once it holds `restartAfterFrames` frames, a RESTART waits for the writer
 * between two transactions, copies the few frames the PASSIVE round left, and has the next commit write from the
 * WAL's start. Writers wait for that, for as long as those few frames take (at most `RESTART_WAIT_MS` more).
 */
export function checkpointOnce(db: Db, restartAfterFrames: number): CheckpointRound {
  const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as PragmaCheckpoint[];
  if (!passive || passive.log < restartAfterFrames) {
    return { log: passive?.log ?? 0, checkpointed: passive?.checkpointed ?? 0, restarted: false };
  }
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${RESTART_WAIT_MS}`);
  let restart: PragmaCheckpoint | undefined;
  try {
    [restart] = db.pragma('wal_checkpoint(RESTART)') as PragmaCheckpoint[];
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
  // busy: a reader still used the old frames, so the WAL could not start over (the next round tries again)
  return { log: restart!.log, checkpointed: restart!.checkpointed, restarted: restart!.busy === 0 };
}
