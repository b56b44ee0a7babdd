import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger';
import { RendererWatchdog, type RendererWatchdogOptions, type WatchedWindow } from './renderer-watchdog';
import { ManualClock } from './testing/manual-clock';

const options: RendererWatchdogOptions = {
  hangTimeoutMs: 4_000,
  startupTimeoutMs: 15_000,
  restartInitialMs: 250,
  restartMaxMs: 8_000,
  stableMs: 60_000,
};

/** A window process stand-in: the watchdog's only edge is a process that can exit and be killed. */
function fakeWindows() {
  const windows: { pid: number; killed: boolean; exit: () => void }[] = [];
  const launch = (): WatchedWindow => {
    let listener: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;
    const window = {
      pid: 1000 + windows.length,
      killed: false,
      exit: () => listener?.(null, 'SIGKILL'),
    };
    windows.push(window);
    return {
      pid: window.pid,
      onExit: (l) => void (listener = l),
      kill: () => {
        window.killed = true;
        window.exit();
      },
    };
  };
  return { windows, launch };
}

function setUp() {
  const clock = new ManualClock();
  const { windows, launch } = fakeWindows();
  const reasons: string[] = [];
  const watchdog = new RendererWatchdog(launch, clock, silentLogger, options, (reason) =>
    reasons.push(reason),
  );
  watchdog.start();
  return { clock, windows, watchdog, reasons };
}

describe('RendererWatchdog', () => {
  it('starts a crashed window again at once, then backs off while it keeps crashing', () => {
    const { clock, windows, reasons } = setUp();
    expect(windows).toHaveLength(1);
    windows[0]!.exit();
    clock.advance(249);
    expect(windows).toHaveLength(1);
    clock.advance(1);
    expect(windows).toHaveLength(2);
    windows[1]!.exit();
    clock.advance(500); // second crash in a row: 250–500 ms (jittered)
    expect(windows).toHaveLength(3);
    windows[2]!.exit();
    clock.advance(499); // third: 500–1000 ms
    expect(windows).toHaveLength(3);
    clock.advance(501);
    expect(windows).toHaveLength(4);
    expect(reasons).toEqual(['exited', 'exited', 'exited']);
  });

  it('kills and restarts a window whose page stops sending heartbeats', () => {
    const { clock, windows, watchdog, reasons } = setUp();
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      watchdog.heartbeat();
    }
    expect(windows[0]!.killed).toBe(false);
    clock.advance(5_000); // silence > hangTimeoutMs (checked every second)
    expect(windows[0]!.killed).toBe(true);
    expect(reasons).toEqual(['hung']);
    clock.advance(250);
    expect(windows).toHaveLength(2);
  });

  it('gives a new window its startup time before the first heartbeat, then restarts it', () => {
    const { clock, windows, reasons } = setUp();
    clock.advance(14_000);
    expect(windows[0]!.killed).toBe(false);
    clock.advance(2_000);
    expect(windows[0]!.killed).toBe(true);
    expect(reasons).toEqual(['no-first-heartbeat']);
  });

  it('does not judge the page while the host is down, and gives it time to reconnect after', () => {
    const { clock, windows, watchdog } = setUp();
    watchdog.heartbeat();
    watchdog.setHostUp(false);
    clock.advance(30_000);
    expect(windows[0]!.killed).toBe(false);
    watchdog.setHostUp(true);
    clock.advance(3_000);
    expect(windows[0]!.killed).toBe(false);
    watchdog.heartbeat();
    clock.advance(3_000);
    expect(windows[0]!.killed).toBe(false);
    clock.advance(3_000);
    expect(windows[0]!.killed).toBe(true);
  });

  it('stops for good: the window is ended and nothing is started again', () => {
    const { clock, windows, watchdog } = setUp();
    watchdog.stop();
    expect(windows[0]!.killed).toBe(true);
    clock.advance(60_000);
    expect(windows).toHaveLength(1);
  });
});
