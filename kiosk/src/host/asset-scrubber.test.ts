import { describe, expect, it } from 'vitest';
import { AssetScrubber, scrubIntervalFrom, type ScrubbedAsset } from './asset-scrubber';
import { silentLogger } from './logger';
import { ManualClock } from './testing/manual-clock';

const asset = (n: number): ScrubbedAsset => ({ sha256: String(n).repeat(64).slice(0, 64), size: n });

/** A scrubber over an in-memory cache: `damaged` files fail their check; `held` makes a check wait. */
function scrubber(
  clock: ManualClock,
  cache: ScrubbedAsset[],
  damaged = new Set<string>(),
  /** Listed, but collected by the sync before their turn: not known any more, and their file is gone. */
  collected: ScrubbedAsset[] = [],
) {
  const checked: string[] = [];
  const repaired: number[] = [];
  let hold: Promise<void> | null = null;
  const service = new AssetScrubber(
    {
      list: () => [...cache, ...collected],
      known: (sha256) => cache.some((a) => a.sha256 === sha256),
      check: async (a) => {
        checked.push(a.sha256);
        await hold;
        return !damaged.has(a.sha256) && !collected.includes(a);
      },
      drop: async (sha256s) => {
        for (const sha of sha256s)
          cache.splice(
            cache.findIndex((a) => a.sha256 === sha),
            1,
          );
      },
      repair: () => repaired.push(cache.length),
      clock,
      logger: silentLogger,
    },
    { intervalMs: 60_000, restFactor: 0 },
  );
  return { service, checked, repaired, holdChecks: (until: Promise<void>) => (hold = until) };
}

describe('the running kiosk re-checks its cached assets', () => {
  it('drops a damaged file, asks for a repair at once, and does not count a file the sync collected meanwhile', async () => {
    const cache = [asset(1), asset(2), asset(3)];
    const { service, checked, repaired } = scrubber(new ManualClock(), cache, new Set([asset(2).sha256]), [
      asset(4),
    ]);
    expect(await service.runPass()).toEqual([asset(2).sha256]);
    expect(checked).toHaveLength(4);
    expect(cache.map((a) => a.size)).toEqual([1, 3]);
    expect(repaired).toEqual([2]);
    expect(await service.runPass()).toEqual([]);
  });

  it('runs a pass one interval after start and every interval after, and stop() ends a pass after its file', async () => {
    const clock = new ManualClock();
    const cache = [asset(1), asset(2), asset(3)];
    const { service, checked, holdChecks } = scrubber(clock, cache);
    service.start();
    clock.advance(59_999);
    expect(checked).toEqual([]);
    clock.advance(1);
    await expect.poll(() => checked.length).toBe(3);

    // the next pass starts one interval after the last ended; stop() during its first file ends it there
    let release = () => {};
    holdChecks(new Promise<void>((resolve) => (release = resolve)));
    clock.advance(60_000);
    await expect.poll(() => checked.length).toBe(4);
    const stopped = service.stop();
    release();
    await stopped;
    expect(checked).toHaveLength(4);
    clock.advance(10 * 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(checked).toHaveLength(4);
  });

  it('takes its interval from LINLI_ASSET_CHECK_HOURS, a day by default', () => {
    expect(scrubIntervalFrom({})).toBe(24 * 60 * 60_000);
    expect(scrubIntervalFrom({ LINLI_ASSET_CHECK_HOURS: '6' })).toBe(6 * 60 * 60_000);
    expect(scrubIntervalFrom({ LINLI_ASSET_CHECK_HOURS: '0' })).toBe(24 * 60 * 60_000);
    expect(scrubIntervalFrom({ LINLI_ASSET_CHECK_HOURS: 'soon' })).toBe(24 * 60 * 60_000);
  });
});
