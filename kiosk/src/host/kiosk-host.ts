import { mkdir } from 'node:fs/promises';
import { arch, hostname, platform } from 'node:os';
import { join } from 'node:path';
import { kioskApiDefinition, type KioskApi } from '../shared/kiosk-api';
import { ok } from '../shared/result';
import { createServiceDispatcher } from '../shared/service-definition';
import { AssetStore } from './asset-store';
import { migrate, openCacheDatabase } from './cache/cache-database';
import { CacheRepository } from './cache/cache.repository';
import { systemClock, type Clock } from './clock';
import { ContentService } from './content.service';
import { DeviceApiClient } from './device-api.client';
import { startKioskHttpServer } from './kiosk-http.server';
import { createLogger, type Logger } from './logger';
import { SyncService, type SyncOptions } from './sync.service';

/** Everything a host needs to start. */
export interface KioskHostConfig {
  /** Holds cache.db and assets/. */
  dataDir: string;
  /** The signage server. Null: use the one stored at enrolment. */
  serverUrl: string | null;
  pairingCode: string | null;
  /** Loopback port; 0 picks a free one. */
  port: number;
  /** The built renderer. */
  rendererDir: string;
  deviceName?: string;
  appVersion?: string;
  /** Overrides of the sync timing (tests use short ones). */
  sync?: Partial<
    Pick<SyncOptions, 'pollIntervalMs' | 'retryInitialMs' | 'retryMaxMs' | 'downloadConcurrency'>
  >;
  /** Fixed loopback token (tests); random per launch otherwise. */
  token?: string;
}

/** A running host: the services, the loopback server and the one KioskApi both shells hand to the renderer. */
export interface KioskHost {
  rendererUrl: string;
  origin: string;
  api: KioskApi;
  sync: SyncService;
  content: ContentService;
  /** Resolves once cached assets were re-verified and the sync loop runs. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Injected edges, for tests. */
export interface KioskHostDependencies {
  clock?: Clock;
  logger?: (component: string) => Logger;
  fetch?: typeof fetch;
}

/**
 * Starts the kiosk host: opens the cache, serves the last good content at once (also with the server down),
 * then verifies the cache and starts syncing in the background.
 */
export async function startKioskHost(
  config: KioskHostConfig,
  dependencies: KioskHostDependencies = {},
): Promise<KioskHost> {
  const clock = dependencies.clock ?? systemClock;
  const loggerFor = dependencies.logger ?? createLogger;
  const log = loggerFor('host');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openCacheDatabase(join(config.dataDir, 'cache.db'));
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const repository = new CacheRepository(db);
  const assets = new AssetStore(join(config.dataDir, 'assets'));
  await assets.init();

  const stored = repository.getDevice();
  const serverUrl = config.serverUrl ?? stored?.serverUrl ?? null;
  if (!serverUrl) {
    db.close();
    throw new Error('no server URL: pass --server <url> (needed until the kiosk is enrolled)');
  }
  if (stored && config.serverUrl && stored.serverUrl !== config.serverUrl) {
    log.warn('the server URL differs from the one at enrolment; using the new one', {
      enrolledWith: stored.serverUrl,
      now: config.serverUrl,
    });
  }

  const client = new DeviceApiClient(serverUrl, undefined, dependencies.fetch);
  const sync = new SyncService(repository, assets, client, clock, loggerFor('sync'), {
    serverUrl,
    pairingCode: config.pairingCode,
    deviceName: config.deviceName ?? `kiosk-${hostname()}`,
    platform: `${platform()} ${arch()} node ${process.versions.node}`,
    appVersion: config.appVersion ?? '0.0.0',
    pollIntervalMs: config.sync?.pollIntervalMs ?? 60_000,
    retryInitialMs: config.sync?.retryInitialMs ?? 1_000,
    retryMaxMs: config.sync?.retryMaxMs ?? 60_000,
    downloadConcurrency: config.sync?.downloadConcurrency ?? 4,
  });
  sync.loadCache();

  const http = await startKioskHttpServer({
    port: config.port,
    rendererDir: config.rendererDir,
    assets,
    repository,
    logger: loggerFor('http'),
    ...(config.token ? { token: config.token } : {}),
  });
  const content = new ContentService(sync, clock, http.assetUrlTemplate);
  content.start();

  const api = {
    getContent: async () => ok(content.getSnapshot()),
    getStatus: async () => ok(sync.getStatus()),
    onContentChanged: (listener) => content.onChanged(listener),
    onStatusChanged: (listener) => sync.onStatusChanged(listener),
  } satisfies KioskApi;
  http.attachApi(createServiceDispatcher(kioskApiDefinition, api));

  let stopping = false;
  const ready = (async () => {
    await sync.verifyCachedAssets();
    if (!stopping) sync.start();
  })();
  ready.catch((error: unknown) => log.error('startup verification failed', { error: String(error) }));
  log.info('kiosk host listening', { origin: http.origin, enrolled: stored !== null });

  return {
    rendererUrl: http.rendererUrl,
    origin: http.origin,
    api,
    sync,
    content,
    ready,
    async stop() {
      stopping = true;
      await ready.catch(() => undefined);
      await sync.stop();
      content.stop();
      await http.close();
      db.close();
    },
  };
}
