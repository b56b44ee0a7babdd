import type { PeripheralEvent } from '@linli/content';
import type { PeripheralHub } from './peripheral-hub';

// Records a hub's events and waits for the next one that matches: tests, the CLI's `list` and the dev panel
// all need "wait until X happens, or tell me it did not within T".

/** Recorded events and a way to wait for one. */
export interface EventRecorder {
  readonly events: PeripheralEvent[];
  /**
   * Resolves with the first event after position `from` (default: events not yet returned by waitFor) that
   * matches, together with performance.now() at its arrival; rejects after `timeoutMs`.
   */
  waitFor<E extends PeripheralEvent>(
    predicate: (event: PeripheralEvent) => event is E,
    timeoutMs: number,
    from?: number,
  ): Promise<{ event: E; receivedAt: number }>;
  waitFor(
    predicate: (event: PeripheralEvent) => boolean,
    timeoutMs: number,
    from?: number,
  ): Promise<{ event: PeripheralEvent; receivedAt: number }>;
  stop(): void;
}

/** Starts recording a hub's events. */
export function recordEvents(hub: Pick<PeripheralHub, 'onEvent'>): EventRecorder {
  const events: PeripheralEvent[] = [];
  const arrivals: number[] = [];
  let cursor = 0;
  const waiters = new Set<() => void>();
  const unsubscribe = hub.onEvent((event) => {
    events.push(event);
    arrivals.push(performance.now());
    for (const wake of [...waiters]) wake();
  });
  return {
    events,
    waitFor(predicate: (event: PeripheralEvent) => boolean, timeoutMs: number, from?: number) {
      let position = from ?? cursor;
      return new Promise<{ event: PeripheralEvent; receivedAt: number }>((resolve, reject) => {
        const check = () => {
          for (; position < events.length; position += 1) {
            const event = events[position]!;
            if (predicate(event)) {
              waiters.delete(check);
              clearTimeout(timer);
              if (from === undefined) cursor = position + 1;
              resolve({ event, receivedAt: arrivals[position]! });
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = events
            .slice(-8)
            .map((event) => event.type)
            .join(', ');
          reject(
            new Error(`no matching peripheral event within ${timeoutMs} ms (last events: ${seen || 'none'})`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      unsubscribe();
      waiters.clear();
    },
  } as EventRecorder;
}
