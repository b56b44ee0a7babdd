import type { PlayRecordV1 } from '../protocol/signage.schema';
import { describe, expect, it } from 'vitest';
import {
  playableEntries,
  PlaylistPlayer,
  type NowPlaying,
  type PlayableEntry,
  type PlayerTimers,
} from './playlist-player';

/** Timers moved by hand: `advance` fires whatever falls due on the way, in order. */
function manualTimers(start = Date.UTC(2026, 10, 25, 2, 0, 0)) {
  let time = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const api: PlayerTimers & { advance(ms: number): void } = {
    now: () => time,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: time + ms, fn, id });
      return id;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((timer) => timer.id !== handle);
    },
    advance(ms) {
      const end = time + ms;
      for (;;) {
        const due = timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers = timers.filter((timer) => timer !== due);
        time = Math.max(time, due.at);
        due.fn();
      }
      time = end;
    },
  };
  return api;
}

const entry = (id: string, seconds: number, position = 0): PlayableEntry => ({
  key: `${position}:${id}`,
  itemId: id,
  assetSha256: null,
  durationMs: seconds * 1000,
  transition: 'fade',
});

function setup() {
  const timers = manualTimers();
  const shown: (string | null)[] = [];
  const plays: PlayRecordV1[] = [];
  const player = new PlaylistPlayer(
    'main',
    timers,
    (now: NowPlaying | null) => shown.push(now?.entry.itemId ?? null),
    (play) => plays.push(play),
  );
  return { timers, shown, plays, player };
}

describe('playlist rotation', () => {
  it('shows each entry for its duration, round and round, and reports each as played', () => {
    const { timers, shown, plays, player } = setup();
    player.setEntries([entry('a', 8, 0), entry('b', 4, 1), entry('c', 10, 2)]);
    expect(shown).toEqual(['a']);
    timers.advance(7_999);
    expect(shown).toEqual(['a']);
    timers.advance(1);
    expect(shown).toEqual(['a', 'b']);
    timers.advance(4_000 + 10_000 + 8_000);
    expect(shown).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(plays.map((play) => [play.itemId, play.durationMs, play.zone])).toEqual([
      ['a', 8_000, 'main'],
      ['b', 4_000, 'main'],
      ['c', 10_000, 'main'],
      ['a', 8_000, 'main'],
    ]);
    expect(plays[1]!.startedAt).toBe('2026-11-25T02:00:08.000Z');
    expect(plays[3]!.startedAt).toBe('2026-11-25T02:00:22.000Z');
  });

  it('loops a single entry, reporting a play per round', () => {
    const { timers, shown, plays, player } = setup();
    player.setEntries([entry('only', 5)]);
    timers.advance(15_000);
    expect(shown).toEqual(['only', 'only', 'only', 'only']);
    expect(plays).toHaveLength(3);
  });

  it('keeps the entry on screen through a new list that still has it, and its remaining time', () => {
    const { timers, shown, plays, player } = setup();
    player.setEntries([entry('a', 10, 0), entry('b', 10, 1)]);
    timers.advance(6_000);
    // a manifest update adds an entry in front: "a" stays, at its new place, and ends on time
    player.setEntries([entry('new', 3, 0), entry('a', 10, 0), entry('b', 10, 1)]);
    expect(shown).toEqual(['a']);
    timers.advance(4_000);
    expect(shown).toEqual(['a', 'b']);
    expect(plays).toEqual([expect.objectContaining({ itemId: 'a', durationMs: 10_000 })]);
  });

  it('ends the entry on screen when it leaves the list, reporting the time it really showed', () => {
    const { timers, shown, plays, player } = setup();
    player.setEntries([entry('a', 10, 0), entry('b', 10, 1)]);
    timers.advance(3_000);
    player.setEntries([entry('b', 10, 1)]);
    expect(shown).toEqual(['a', 'b']);
    expect(plays).toEqual([expect.objectContaining({ itemId: 'a', durationMs: 3_000 })]);
    player.setEntries([]);
    expect(shown).toEqual(['a', 'b', null]);
    timers.advance(60_000);
    expect(shown).toEqual(['a', 'b', null]);
  });

  it('reports the partial play on stop and shows nothing more', () => {
    const { timers, shown, plays, player } = setup();
    player.setEntries([entry('a', 10)]);
    timers.advance(2_500);
    player.stop();
    timers.advance(30_000);
    expect(shown).toEqual(['a', null]);
    expect(plays).toEqual([expect.objectContaining({ itemId: 'a', durationMs: 2_500 })]);
  });
});

describe('playableEntries', () => {
  const sha = 'a'.repeat(64);
  const playlist = {
    id: 'pl-1',
    name: 'Lobby',
    entries: [
      { itemId: 'notice', assetSha256: null, durationSeconds: 5, transition: 'fade' as const },
      { itemId: 'expired', assetSha256: null, durationSeconds: 8, transition: 'slide' as const },
      { itemId: null, assetSha256: sha, durationSeconds: 12, transition: 'none' as const },
    ],
  };

  it('keeps asset entries and the items that are there, in order, with durations in ms', () => {
    expect(playableEntries(playlist, (id) => id === 'notice')).toEqual([
      { key: '0:notice', itemId: 'notice', assetSha256: null, durationMs: 5_000, transition: 'fade' },
      { key: `2:${sha}`, itemId: null, assetSha256: sha, durationMs: 12_000, transition: 'none' },
    ]);
  });

  it('gives nothing for no playlist', () => {
    expect(playableEntries(null, () => true)).toEqual([]);
  });
});
