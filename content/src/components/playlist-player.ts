import type { PlaylistTransition, PlaylistV1, PlayRecordV1, PlayZone } from '../protocol/signage.schema';

/** An entry the player can show now: its item or asset, and how long it stays. */
export interface PlayableEntry {
  /** Stable while the playlist is unchanged: `<position>:<item id or asset sha>`. */
  key: string;
  itemId: string | null;
  assetSha256: string | null;
  durationMs: number;
  transition: PlaylistTransition;
}

/** Time and timers, injected so tests drive them by hand. */
export interface PlayerTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: PlayerTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What is on screen in one zone, and since when. */
export interface NowPlaying {
  entry: PlayableEntry;
  index: number;
  /** Increases with every change, so a view can key its transition on it (a one-entry loop too). */
  sequence: number;
  startedAt: number;
}

/**
 * Plays one zone's playlist: each entry for its duration, then the next, round and round. Every entry that leaves
 * the screen is reported as a play (what, where, from when, for how long it really showed). A new list keeps the
 * entry on screen when it is still in it, so a manifest update does not restart every screen.
 */
export class PlaylistPlayer {
  private entries: PlayableEntry[] = [];
  private playing: NowPlaying | null = null;
  private timer: unknown = null;
  private sequence = 0;

  constructor(
    private readonly zone: PlayZone,
    private readonly timers: PlayerTimers,
    private readonly onChange: (now: NowPlaying | null) => void,
    private readonly onPlay: (record: PlayRecordV1) => void,
  ) {}

  get current(): NowPlaying | null {
    return this.playing;
  }

  /** Sets (or replaces) the list. */
  setEntries(entries: readonly PlayableEntry[]): void {
    this.entries = [...entries];
    const playing = this.playing;
    const keep = playing ? this.entries.findIndex((entry) => entry.key === playing.entry.key) : -1;
    if (playing && keep >= 0) {
      // same entry, maybe a new place or duration: keep it on screen, re-arm for what is left of it
      this.playing = { ...playing, entry: this.entries[keep]!, index: keep };
      this.arm();
      return;
    }
    this.finish();
    this.show(0);
  }

  /** Stops, reporting the entry on screen as played for as long as it was. */
  stop(): void {
    this.finish();
    this.entries = [];
    this.onChange(null);
  }

  private show(index: number): void {
    const entry = this.entries[index];
    if (!entry) {
      this.playing = null;
      this.onChange(null);
      return;
    }
    this.sequence += 1;
    this.playing = { entry, index, sequence: this.sequence, startedAt: this.timers.now() };
    this.onChange(this.playing);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const playing = this.playing;
    if (!playing) return;
    const left = Math.max(0, playing.startedAt + playing.entry.durationMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.finish();
      this.show((playing.index + 1) % Math.max(1, this.entries.length));
    }, left);
  }

  /** Reports the entry on screen as played and clears it. */
  private finish(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const playing = this.playing;
    this.playing = null;
    if (!playing) return;
    const now = this.timers.now();
    try {
      this.onPlay({
        itemId: playing.entry.itemId,
        assetSha256: playing.entry.assetSha256,
        zone: this.zone,
        startedAt: new Date(playing.startedAt).toISOString(),
        durationMs: Math.max(0, Math.round(now - playing.startedAt)),
      });
    } catch (error) {
      console.error('recording a play failed', error);
    }
  }
}

/**
 * The entries of a playlist a screen can show now: item entries only while `hasItem` says the item is there
 * (the kiosk: in its content snapshot, so valid now; the CMS preview: published), asset entries always (a kiosk
 * has their file before it applies the manifest).
 */
export function playableEntries(
  playlist: PlaylistV1 | null,
  hasItem: (id: string) => boolean,
): PlayableEntry[] {
  if (!playlist) return [];
  return playlist.entries.flatMap((entry, position) =>
    entry.itemId !== null && !hasItem(entry.itemId)
      ? []
      : [
          {
            key: `${position}:${entry.itemId ?? entry.assetSha256}`,
            itemId: entry.itemId,
            assetSha256: entry.assetSha256,
            durationMs: entry.durationSeconds * 1000,
            transition: entry.transition,
          },
        ],
  );
}
