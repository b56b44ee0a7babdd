import { describe, expect, it } from 'vitest';
import { OutboxLoop } from './outbox-loop';
import { ManualClock } from './testing/manual-clock';

/** Lets every pending promise callback run (a pass awaits a microtask before it starts). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OutboxLoop', () => {
  it('runs one pass at a time: a flush during a pass joins it', async () => {
    const clock = new ManualClock();
    let passes = 0;
    let release!: () => void;
    const loop = new OutboxLoop(
      clock,
      async () => {
        passes++;
        await new Promise<void>((resolve) => (release = resolve));
      },
      () => null,
      () => {},
    );
    const first = loop.flush();
    const second = loop.flush();
    expect(second).toBe(first);
    await settle();
    release();
    await first;
    expect(passes).toBe(1);
  });

  it('times the next pass by the earliest due entry, and stops timing after stop()', async () => {
    const clock = new ManualClock();
    let passes = 0;
    let dueIn: number | null = 5_000;
    const loop = new OutboxLoop(
      clock,
      async () => {
        passes++;
      },
      () => dueIn,
      () => {},
    );
    loop.start();
    clock.advance(0);
    await settle();
    expect(passes).toBe(1);
    clock.advance(4_999);
    await settle();
    expect(passes).toBe(1);
    clock.advance(1);
    await settle();
    expect(passes).toBe(2);
    dueIn = null;
    clock.advance(5_000);
    await settle();
    expect(passes).toBe(3);
    // nothing due: no further pass until something new is nudged in
    clock.advance(60_000);
    await settle();
    expect(passes).toBe(3);
    loop.nudge(1_000);
    clock.advance(1_000);
    await settle();
    expect(passes).toBe(4);
    dueIn = 1_000;
    await loop.stop();
    clock.advance(60_000);
    await settle();
    expect(passes).toBe(4);
  });

  it('reports a pass that throws and goes on', async () => {
    const clock = new ManualClock();
    const failures: unknown[] = [];
    let passes = 0;
    const loop = new OutboxLoop(
      clock,
      async () => {
        passes++;
        if (passes === 1) throw new Error('disk gone');
      },
      () => 1_000,
      (error) => failures.push(error),
    );
    loop.start();
    clock.advance(0);
    await settle();
    expect(failures).toEqual([new Error('disk gone')]);
    clock.advance(1_000);
    await settle();
    expect(passes).toBe(2);
    await loop.stop();
  });
});
