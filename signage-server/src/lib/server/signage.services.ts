import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { createAssetFastPath } from './api/asset-fast-path';
import { createFastPath } from './api/device-api';
import { AssetRepository } from './assets/asset.repository';
import { AssetService, DEFAULT_PDF_BYTES, DEFAULT_VIDEO_BYTES } from './assets/asset.service';
import { FsAssetStore } from './assets/asset-store.fs';
import { LocalMediaProcessor } from './assets/media-processor';
import { AuditService } from './audit/audit.service';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import { ContentRepository } from './content/content.repository';
import { ContentService } from './content/content.service';
import { seedDemoContent } from './content/pack-import.service';
import { RatingRepository } from './content/ratings.repository';
import { RatingService } from './content/ratings.service';
import type { Db } from './db/database';
import { DeviceRepository } from './devices/device.repository';
import { DeviceService } from './devices/device.service';
import { FleetRepository } from './fleet/fleet.repository';
import { FleetService } from './fleet/fleet.service';
import { createLogger } from './logger';
import type { ServerKeys } from './keys';
import { DeviceEventHub } from './manifest/device-events';
import { DevicePlacementRepository } from './manifest/device-placement.repository';
import { ManifestService } from './manifest/manifest.service';

/** The signage half of the server: assets, content, devices, manifests and their event streams. */
export interface SignageServices {
  assets: AssetService;
  content: ContentService;
  /** Residents' ratings of service-provider cards (§6.2.1-6). */
  ratings: RatingService;
  devices: DeviceService;
  manifests: ManifestService;
  deviceEvents: DeviceEventHub;
  fleet: FleetService;
}

/** What the signage services are built on. */
export interface SignageDependencies {
  config: Pick<ServerConfig, 'dataDir' | 'maxImageBytes'> &
    Partial<Pick<ServerConfig, 'fleetMissedHeartbeats'>> &
    Partial<Pick<ServerConfig, 'maxVideoBytes' | 'maxPdfBytes'>>;
  clock: Clock;
  db: Db;
  keys: ServerKeys;
  audit?: Pick<AuditService, 'record'>;
}

/**
 * Wires the signage services and the hints between them: a change to published content rebuilds the manifests;
 * a changed manifest version becomes an SSE `manifest-changed`; a revoked device loses its streams and cache.
 */
export function createSignageServices({
  config,
  clock,
  db,
  keys,
  audit,
}: SignageDependencies): SignageServices & {
  /**
   * Answers `GET /api/v1/device/manifest` from memory and streams `GET /api/v1/assets/<sha256>` (server.js calls it
   * before SvelteKit); false for anything else.
   */
  fastPath: (req: IncomingMessage, res: ServerResponse) => boolean;
} {
  const auditLog = audit ?? new AuditService(db, clock);
  const assets = new AssetService(
    new AssetRepository(db),
    new FsAssetStore(path.join(config.dataDir, 'assets')),
    clock,
    {
      maxImageBytes: config.maxImageBytes,
      maxVideoBytes: config.maxVideoBytes ?? DEFAULT_VIDEO_BYTES,
      maxPdfBytes: config.maxPdfBytes ?? DEFAULT_PDF_BYTES,
    },
    {
      previews: new FsAssetStore(path.join(config.dataDir, 'asset-previews')),
      processor: new LocalMediaProcessor(),
      audit: auditLog,
    },
  );
  const content = new ContentService(new ContentRepository(db), assets, auditLog, clock);
  const devices = new DeviceService(new DeviceRepository(db), auditLog, clock);
  const ratings = new RatingService(new RatingRepository(db), content, clock);
  // screens get each provider card's ratings in its payload
  const published = { listPublished: () => ratings.withRatings(content.listPublished()) };
  const manifests = new ManifestService(published, assets, keys, clock, new DevicePlacementRepository(db));
  const deviceEvents = new DeviceEventHub();
  const fleet = new FleetService(
    new FleetRepository(db),
    devices,
    deviceEvents,
    auditLog,
    clock,
    createLogger('fleet'),
    config.fleetMissedHeartbeats ? { missedHeartbeats: config.fleetMissedHeartbeats } : {},
  );

  content.onPublishedChange(() => manifests.invalidate());
  ratings.onChange(() => manifests.invalidate());
  manifests.onChange((scope, version) => deviceEvents.manifestChanged(scope, version));
  devices.onRevoke((deviceId) => {
    deviceEvents.disconnect(deviceId);
    manifests.forget(deviceId);
  });
  deviceEvents.onSubscribed((deviceId) => fleet.deliverOpenCommands(deviceId));
  // a device moved to another community, group or tags sees its new content at once, not at its next poll
  devices.onUpdate((deviceId) => {
    const { scope, version } = manifests.retarget(deviceId);
    deviceEvents.rescope(deviceId, scope, version);
  });

  return {
    assets,
    content,
    ratings,
    devices,
    manifests,
    deviceEvents,
    fleet,
    fastPath: (() => {
      const manifestFast = createFastPath(devices, manifests);
      const assetFast = createAssetFastPath(devices, assets);
      return (req: IncomingMessage, res: ServerResponse) => manifestFast(req, res) || assetFast(req, res);
    })(),
  };
}

/**
 * Start-up work of the signage services, after the core seeding (`init`): import the demo pack into an empty
 * database, build the manifest once, and end event streams on shutdown (open streams would otherwise keep the
 * server's close() waiting).
 */
export async function startSignageServices(
  services: SignageServices & { config: Pick<ServerConfig, 'seedDemo' | 'packDir'> },
): Promise<void> {
  await seedDemoContent(services.config, services);
  services.manifests.invalidate();
  services.fleet.start();
  process.once('sveltekit:shutdown', () => {
    services.fleet.stop();
    services.deviceEvents.closeAll();
    services.manifests.close();
  });
}
