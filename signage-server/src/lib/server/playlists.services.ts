import type { AuditService } from './audit/audit.service';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Db } from './db/database';
import { DevicePlacementRepository } from './manifest/device-placement.repository';
import type { SignageServices } from './signage.services';
import { PlaylistRepository } from './playlists/playlist.repository';
import { PlaylistService } from './playlists/playlist.service';
import { StatsRepository } from './stats/stats.repository';
import { StatsService } from './stats/stats.service';

/** Playlists, layouts and proof-of-play (issue 4). */
export interface PlaylistServices {
  playlists: PlaylistService;
  stats: StatsService;
}

/** What they are built on. */
export interface PlaylistDependencies {
  config: Partial<Pick<ServerConfig, 'statsRetentionDays'>>;
  clock: Clock;
  db: Db;
  audit: Pick<AuditService, 'record'>;
  signage: Pick<SignageServices, 'content' | 'assets' | 'manifests'>;
}

/**
 * Wires playlists and layouts into the manifests (a device's layout and playlists ride in its manifest; any
 * change rebuilds the scopes and pushes `manifest-changed`) and the stats service with its daily purge.
 */
export function createPlaylistServices({
  config,
  clock,
  db,
  audit,
  signage,
}: PlaylistDependencies): PlaylistServices {
  const playlists = new PlaylistService(
    new PlaylistRepository(db),
    {
      hasItem: (itemId) => signage.content.getTranslations(itemId).length > 0,
      hasAsset: (sha256) => signage.assets.getMany([sha256]).length > 0,
    },
    audit,
    clock,
  );
  signage.manifests.setSignageSource(playlists);
  playlists.onChange(() => signage.manifests.invalidate());
  // a content change can hide or show an item a playlist names: the manifest already rebuilds on it
  const placements = new DevicePlacementRepository(db);
  const stats = new StatsService(
    new StatsRepository(db),
    {
      timeZoneOfDevice: (deviceId) =>
        placements.timeZoneOf(placements.placementOf(deviceId)?.communityId ?? null),
    },
    audit,
    clock,
    config.statsRetentionDays,
  );
  return { playlists, stats };
}

/** Start-up work: the daily stats purge (stopped on shutdown, so the timer never holds the process). */
export function startPlaylistServices(services: PlaylistServices): void {
  services.stats.start();
  process.once('sveltekit:shutdown', () => services.stats.stop());
}
