import type { ManifestV1 } from '@linli/content';
import type { SignageSnapshot } from '../shared/signage-api';

/** Where the signage service reads the last good manifest. */
export interface ManifestSource {
  currentManifest(): { manifest: ManifestV1 } | null;
  onManifestChanged(listener: () => void): () => void;
}

/** The signage snapshot of a manifest (layout and playlists as the server resolved them for this device). */
export function signageSnapshotOf(
  manifest: ManifestV1 | null,
  mode: SignageSnapshot['mode'],
): SignageSnapshot {
  return { mode, layout: manifest?.layout ?? null, playlists: manifest?.playlists ?? [] };
}

/**
 * Hands the renderer the device's layout and playlists, and tells it when a new manifest changes them. The
 * manifest was verified and every asset it names is on disk before the sync service switched to it, so what this
 * hands out always plays.
 */
export class SignageService {
  private snapshot: SignageSnapshot;
  private readonly listeners = new Set<(snapshot: SignageSnapshot) => void>();
  private stopSource: (() => void) | null = null;

  constructor(
    private readonly source: ManifestSource,
    private readonly mode: SignageSnapshot['mode'],
  ) {
    this.snapshot = this.build();
  }

  start(): void {
    this.stopSource = this.source.onManifestChanged(() => {
      const next = this.build();
      if (JSON.stringify(next) === JSON.stringify(this.snapshot)) return;
      this.snapshot = next;
      for (const listener of this.listeners) listener(next);
    });
  }

  stop(): void {
    this.stopSource?.();
    this.stopSource = null;
  }

  get(): SignageSnapshot {
    return this.snapshot;
  }

  onChanged(listener: (snapshot: SignageSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private build(): SignageSnapshot {
    return signageSnapshotOf(this.source.currentManifest()?.manifest ?? null, this.mode);
  }
}
