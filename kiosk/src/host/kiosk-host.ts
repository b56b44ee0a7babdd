import { mkdir } from 'node:fs/promises';
import { arch, hostname, platform } from 'node:os';
import { join } from 'node:path';
import { stationBridgeFragment } from '@linli/content';
import type { PeripheralsConfigInput } from '@linli/peripherals';
import {
  kioskApiDefinition,
  type KioskApi,
  type KioskSettings,
  type RendererHeartbeat,
} from '../shared/kiosk-api';
import { ok } from '../shared/result';
import { createServiceDispatcher } from '../shared/service-definition';
import { AlertRepository } from './alert.repository';
import { AlertService, alertPollIntervalFrom } from './alert.service';
import { cacheScrubber, DEFAULT_SCRUB_REST_FACTOR, scrubIntervalFrom } from './asset-scrubber';
import { AssetStore } from './asset-store';
import { migrate, openCacheDatabase } from './cache/cache-database';
import { CacheRepository } from './cache/cache.repository';
import { correctedClock, systemClock, type Clock } from './clock';
import { ContentService } from './content.service';
import { createDevPanelApi, createKioskPeripherals } from './dev-panel.service';
import { DeviceApiClient } from './device-api.client';
import { startKioskHttpServer } from './kiosk-http.server';
import { createLogger, type Logger } from './logger';
import { createPaymentApi, PaymentService } from './payment.service';
import { httpStatsSender, PlayLogOutbox, playLogOptionsFrom, type PlayLogOptions } from './play-log.outbox';
import { PlayLogRepository } from './play-log.repository';
import { RatingOutbox, type RatingOutboxOptions } from './rating.client';
import { RatingOutboxRepository } from './rating-outbox.repository';
import { EscPosReceiptPrinter } from './receipt-printer';
import { SearchService } from './search.service';
import {
  mergePeripheralSources,
  SessionService,
  SimulatedPeripherals,
  type PeripheralEventSource,
} from './session.service';
import { detectSpeechTools, SpeechService, type SpeechTools } from './speech.service';
import { SignageService } from './signage.service';
import { createStationBridge } from './station-bridge';
import { SyncService, type SyncOptions } from './sync.service';
import { createHostFleet } from './fleet.service';
import type { ScreenCapturer } from './screen-capturer';
import { createVisitorApi, visitorSettingsFrom, type VisitorHostConfig } from './visitor.api';
import { VisitorApiClient } from './visitor-api.client';
import { VisitorOutbox } from './visitor-outbox';
import { VisitorOutboxRepository } from './visitor-outbox.repository';
import { EscPosPassPrinter } from './visitor-pass.printer';
import { VisitorService } from './visitor.service';

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
  /** Fixed loopback token (tests, and the supervisor, which keeps it across host restarts); random otherwise. */
  token?: string;
  /** Renderer timings (defaults: 2 min idle, 8 s per attract slide, 1 s heartbeat). */
  idleTimeoutMs?: number;
  attractSlideMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Accept peripheral events posted to the loopback `/simulate/peripheral-event` (token required): for demos
   * and tests on machines without readers. Never on in production.
   */
  simulatePeripherals?: boolean;
  /**
   * The hidden dev panel (`--dev-panel`): starts the peripherals simulator and lets the renderer drive it through
   * KioskApi. Off by default; never in production.
   */
  devPanel?: boolean;
  /** Real card readers and scanners (the installer's configuration). Absent: none are started. */
  peripherals?: PeripheralsConfigInput;
  /** An ESC/POS receipt printer's file or device path (`--receipt-printer`). Absent: no paper receipts. */
  receiptPrinter?: string;
  /** Visitor registration: consent text, retention, outbox timing, gate mode (defaults in visitor.api.ts). */
  visitor?: VisitorHostConfig;
  /**
   * Station mode (`--mode station`): the window shows the server's station console, and the host bridges the
   * readers to it (station-bridge.ts) instead of serving them to the kiosk renderer.
   */
  stationMode?: boolean;
  /** Signage mode (`--mode signage`): the layout fills the screen and touches do nothing (issue 4). */
  signageMode?: boolean;
  /** Proof-of-play outbox timings (tests use short ones). */
  playLog?: Partial<PlayLogOptions>;
  ratings?: Partial<RatingOutboxOptions>;
}

/** The defaults of the renderer timings. */
export const DEFAULT_TIMINGS = {
  idleTimeoutMs: 120_000,
  attractSlideMs: 8_000,
  heartbeatIntervalMs: 1_000,
} as const;

/** A running host: the services, the loopback server and the one KioskApi both shells hand to the renderer. */
export interface KioskHost {
  /** What the window opens: the kiosk renderer, or in station mode the server's console with its bridge ticket. */
  rendererUrl: string;
  /** The host's loopback origin. */
  origin: string;
  /** The origin of the page the window shows (the host's, or in station mode the server's). */
  pageOrigin: string;
  api: KioskApi;
  sync: SyncService;
  content: ContentService;
  session: SessionService;
  search: SearchService;
  speech: SpeechService;
  settings: KioskSettings;
  visitors: VisitorService;
  outbox: VisitorOutbox;
  alerts: AlertService;
  signage: SignageService;
  playLog: PlayLogOutbox;
  /** Residents' ratings waiting for (or on their way to) the server. */
  ratings: RatingOutbox;
  /** Every heartbeat of the renderer (the watchdog listens). */
  onRendererHeartbeat(listener: (heartbeat: RendererHeartbeat) => void): () => void;
  /** Resolves once cached assets were re-verified and the sync loop runs. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Injected edges, for tests. */
export interface KioskHostDependencies {
  clock?: Clock;
  logger?: (component: string) => Logger;
  fetch?: typeof fetch;
  /** Card readers and scanners (the peripherals hub). */
  peripherals?: PeripheralEventSource;
  /** espeak-ng and a player; detected on PATH by default. */
  speechTools?: SpeechTools;
  /** What the fleet's screenshot command captures (Electron's window); default: the supervisor's browser. */
  screenCapturer?: ScreenCapturer;
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

  const deviceName = config.deviceName ?? `kiosk-${hostname()}`;
  const client = new DeviceApiClient(serverUrl, undefined, dependencies.fetch);
  const sync = new SyncService(repository, assets, client, clock, loggerFor('sync'), {
    serverUrl,
    pairingCode: config.pairingCode,
    deviceName,
    platform: `${platform()} ${arch()} node ${process.versions.node}`,
    appVersion: config.appVersion ?? '0.0.0',
    pollIntervalMs: config.sync?.pollIntervalMs ?? 60_000,
    retryInitialMs: config.sync?.retryInitialMs ?? 1_000,
    retryMaxMs: config.sync?.retryMaxMs ?? 60_000,
    downloadConcurrency: config.sync?.downloadConcurrency ?? 4,
  });
  client.onServerTime = (serverTime) => sync.observeServerTime(serverTime);
  sync.loadCache();
  // Content validity follows the server's time: a kiosk whose clock is wrong still shows today's notices.
  const serverClock = correctedClock(clock, () => sync.getStatus().clockSkewMs);

  // Alerts come first: a kiosk restarted during an alarm shows it again before anything else is ready.
  const alerts = new AlertService(
    {
      repository: new AlertRepository(db),
      sync,
      client,
      clock: serverClock,
      logger: loggerFor('alerts'),
    },
    { pollIntervalMs: alertPollIntervalFrom() },
  );
  alerts.load();
  // start-up checks every cached file; this checks them again while the kiosk runs for months
  const scrubber = cacheScrubber(repository, sync, clock, loggerFor('assets'), {
    intervalMs: scrubIntervalFrom(),
    restFactor: DEFAULT_SCRUB_REST_FACTOR,
  });

  const session = new SessionService();
  const simulator = config.simulatePeripherals ? new SimulatedPeripherals() : null;
  // An injected source replaces the hub (tests); otherwise the hub exists only when configured or for the dev panel.
  const configured = dependencies.peripherals
    ? null
    : createKioskPeripherals(
        { config: config.peripherals ?? null, devPanel: config.devPanel ?? false },
        (message) => log.warn(message),
      );
  const sources = [dependencies.peripherals ?? configured?.hub, simulator].filter(
    (source): source is PeripheralEventSource => source != null,
  );
  const peripheralEvents = sources.length > 0 ? mergePeripheralSources(sources) : null;
  if (peripheralEvents) session.attach(peripheralEvents);
  const speech = new SpeechService(
    join(config.dataDir, 'speech'),
    dependencies.speechTools ?? detectSpeechTools(),
    loggerFor('speech'),
    (speaking) => session.setSpeaking(speaking),
  );
  await speech.init();
  session.onReset(() => void speech.stop());
  const visitorClient = new VisitorApiClient(serverUrl, dependencies.fetch);
  const outbox = new VisitorOutbox(
    new VisitorOutboxRepository(db),
    visitorClient,
    () => repository.getDevice()?.credential ?? null,
    clock,
    loggerFor('visitor-outbox'),
    config.visitor?.outbox,
  );
  const visitors = new VisitorService({
    client: visitorClient,
    outbox,
    credential: () => repository.getDevice()?.credential ?? null,
    currentDocument: () => session.currentDocument(),
    clock: serverClock,
    log: loggerFor('visitors'),
    printer: config.receiptPrinter ? new EscPosPassPrinter(config.receiptPrinter) : null,
    settings: visitorSettingsFrom(config.visitor),
  });
  // The visitor is part of the session: idle, "done" and a new page forget them with everything else.
  session.onReset(() => visitors.reset());

  const heartbeatListeners = new Set<(heartbeat: RendererHeartbeat) => void>();
  const hub = configured?.hub ?? null;
  const stationBridge = config.stationMode
    ? createStationBridge({
        source: peripheralEvents,
        hubStatus: hub ? () => hub.status() : null,
        onHeartbeat: (heartbeat) => heartbeatListeners.forEach((listener) => listener(heartbeat)),
        logger: loggerFor('station-bridge'),
      })
    : null;
  const http = await startKioskHttpServer({
    port: config.port,
    rendererDir: config.rendererDir,
    assets,
    repository,
    logger: loggerFor('http'),
    ...(config.token ? { token: config.token } : {}),
    ...(simulator ? { simulator } : {}),
    ...(stationBridge
      ? { stationBridge: { allowedOrigin: new URL(serverUrl).origin, bridge: stationBridge } }
      : {}),
  });
  const pageUrl = stationBridge
    ? `${serverUrl.replace(/\/+$/, '')}/station#${stationBridgeFragment({ url: http.stationBridgeUrl, device: deviceName })}`
    : http.rendererUrl;
  const content = new ContentService(sync, serverClock, http.assetUrlTemplate);
  content.start();
  const signage = new SignageService(sync, config.signageMode ? 'signage' : 'touch');
  signage.start();
  const playLog = new PlayLogOutbox(
    new PlayLogRepository(db),
    httpStatsSender(serverUrl, dependencies.fetch),
    () => repository.getDevice()?.credential ?? null,
    clock,
    loggerFor('play-log'),
    { ...playLogOptionsFrom(), ...config.playLog },
  );
  const ratings = new RatingOutbox(
    new RatingOutboxRepository(db),
    client,
    () => repository.getDevice()?.credential ?? null,
    clock,
    loggerFor('ratings'),
    config.ratings,
  );
  const search = new SearchService(repository, () => content.getSnapshot());
  if (search.ensureIndex(sync.currentManifest()?.manifest ?? null)) log.info('search index rebuilt');

  const settings: KioskSettings = {
    idleTimeoutMs: config.idleTimeoutMs ?? DEFAULT_TIMINGS.idleTimeoutMs,
    attractSlideMs: config.attractSlideMs ?? DEFAULT_TIMINGS.attractSlideMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULT_TIMINGS.heartbeatIntervalMs,
    publicItemUrlTemplate: `${serverUrl.replace(/\/+$/, '')}/p/{id}?lang={locale}`,
  };
  const fleet = createHostFleet({
    sync,
    client,
    clock,
    logger: loggerFor('fleet'),
    dataDir: config.dataDir,
    appVersion: config.appVersion ?? '0.0.0',
    hub,
    capturer: dependencies.screenCapturer,
    onRendererHeartbeat: (listener) => heartbeatListeners.add(listener),
  });
  const payments = new PaymentService({
    client,
    credential: () => repository.getDevice()?.credential ?? null,
    session,
    serverUrl,
    printer: config.receiptPrinter ? new EscPosReceiptPrinter(config.receiptPrinter) : null,
    logger: loggerFor('payments'),
  });

  const api = {
    getContent: async () => ok(content.getSnapshot()),
    getStatus: async () => ok(sync.getStatus()),
    getSettings: async () => ok(settings),
    getSession: async () => ok(session.view()),
    resetSession: async () => ok(session.reset()),
    search: async (request) => ok(search.search(request)),
    speak: async (request) => {
      const spoken = await speech.speak(request);
      if (!spoken.ok) return spoken;
      return ok({ output: spoken.value.output, durationMs: spoken.value.durationMs });
    },
    stopSpeaking: async () => {
      await speech.stop();
      return ok(null);
    },
    heartbeat: async (heartbeat) => {
      for (const listener of heartbeatListeners) listener(heartbeat);
      // The host's own safety net: if the renderer reports no touch for well past the idle timeout while the host
      // still holds a resident's data (a renderer that failed to reset), the host forgets it by itself.
      const idleFor = heartbeat.lastInteractionAt
        ? clock.now().getTime() - new Date(heartbeat.lastInteractionAt).getTime()
        : Infinity;
      const holds = session.holdsPersonalData() || visitors.holdsPersonalData();
      if (holds && idleFor > settings.idleTimeoutMs * 1.5) session.reset();
      return ok(null);
    },
    ...createDevPanelApi(configured?.simulator ?? null),
    ...createPaymentApi(payments),
    ...createVisitorApi(visitors),
    getAlerts: async () => ok(alerts.current()),
    rateProvider: (request) => ratings.rate(request),
    getSignage: async () => ok(signage.get()),
    recordPlay: async (play) => playLog.recordPlay(play),
    recordTouch: async (touch) => playLog.recordTouch(touch),
    onContentChanged: (listener) => content.onChanged(listener),
    onStatusChanged: (listener) => sync.onStatusChanged(listener),
    onSessionChanged: (listener) => session.onChanged(listener),
    onIdentify: fleet.onIdentify,
    onAlertsChanged: (listener) => alerts.onChanged(listener),
    onSignageChanged: (listener) => signage.onChanged(listener),
  } satisfies KioskApi;
  http.attachApi(createServiceDispatcher(kioskApiDefinition, api));
  // Started last, once nothing above can fail and leave a reader connection open. Drivers that fail to start retry
  // in the background; start() only waits for each one's first attempt.
  await configured?.hub.start();

  let stopping = false;
  const ready = (async () => {
    // before the asset check: that can take a while on a large cache, and an alarm must not wait for it
    if (!stopping) alerts.start();
    await sync.verifyCachedAssets();
    if (!stopping) sync.start();
    if (!stopping) scrubber.start();
    if (!stopping) fleet.fleet.start();
    if (!stopping) outbox.start();
    if (!stopping) playLog.start();
    if (!stopping) ratings.start();
  })();
  ready.catch((error: unknown) => log.error('startup verification failed', { error: String(error) }));
  log.info('kiosk host listening', { origin: http.origin, enrolled: stored !== null });

  return {
    rendererUrl: pageUrl,
    origin: http.origin,
    pageOrigin: new URL(pageUrl).origin,
    api,
    sync,
    content,
    session,
    search,
    speech,
    settings,
    visitors,
    outbox,
    alerts,
    signage,
    playLog,
    ratings,
    onRendererHeartbeat(listener) {
      heartbeatListeners.add(listener);
      return () => heartbeatListeners.delete(listener);
    },
    ready,
    async stop() {
      stopping = true;
      await ready.catch(() => undefined);
      await fleet.fleet.stop();
      alerts.stop();
      await scrubber.stop();
      await sync.stop();
      client.close();
      await outbox.stop();
      await playLog.stop();
      await ratings.stop();
      signage.stop();
      content.stop();
      session.stop();
      stationBridge?.stop();
      await configured?.hub.stop();
      await speech.stop();
      await http.close();
      db.close();
    },
  };
}
