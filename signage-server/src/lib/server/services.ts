import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { createAlertServices, type AlertServices } from './alerts.services';
import { systemClock, type Clock } from './clock';
import type { ServerConfig } from './config';
import { migrate, openDatabase, type Db } from './db/database';
import type { WalCheckpointer } from './db/wal-checkpointer';
import { loadKeys, type ServerKeys } from './keys';
import { createCoreServices, type CoreServices } from './core.services';
import { createPaymentsFastPath } from './api/payments-fast-path';
import { createPaymentServices, type PaymentServices } from './payments.services';
import { createPlaylistServices, type PlaylistServices } from './playlists.services';
import { createSignageServices, type SignageServices } from './signage.services';
import { createVisitorFastPath, createVisitorServices, type VisitorServices } from './visitors.services';

/**
 * Everything the server holds for its lifetime, created once at start-up (hooks.server.ts `init`) and handed to
 * routes through `locals`. Services name what they use; this is only where they are wired together.
 */
export interface Services
  extends CoreServices, SignageServices, PaymentServices, VisitorServices, AlertServices, PlaylistServices {
  config: ServerConfig;
  clock: Clock;
  db: Db;
  keys: ServerKeys;
  version: string;
  /**
   * Answers a hot device-API request directly from the Node entry (server.js) when it can; returns false to let
   * SvelteKit handle the request. Set by the device API service.
   */
  fastPath?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Checkpoints the WAL off the writing connections (`startWalCheckpointer`); null when they do it themselves. */
  walCheckpointer?: WalCheckpointer | null;
}

/** Opens the database (migrating it), loads keys and wires the services. */
export function createServices(config: ServerConfig, clock: Clock = systemClock): Services {
  const db = openDatabase(path.join(config.dataDir, 'linli.db'));
  migrate(db);
  const keys = loadKeys(config.dataDir);
  const core = createCoreServices({ clock, db, keys });
  const signage = createSignageServices({ config, clock, db, keys, audit: core.audit });
  const money = createPaymentServices({
    config,
    clock,
    db,
    keys,
    audit: core.audit,
    phoneHash: (phone) => core.registry.phoneHash(phone),
  });
  const paymentsFastPath = createPaymentsFastPath(signage.devices, money.payments);
  const visitors = createVisitorServices({
    config,
    clock,
    db,
    keys,
    audit: core.audit,
    registry: core.registry,
    cards: money.cards,
  });
  const visitorFastPath = createVisitorFastPath(visitors);
  const alerts = createAlertServices({
    clock,
    db,
    audit: core.audit,
    devices: signage.devices,
    deviceEvents: signage.deviceEvents,
  });
  const playlists = createPlaylistServices({ config, clock, db, audit: core.audit, signage });
  const fastPath = (req: IncomingMessage, res: ServerResponse) =>
    signage.fastPath(req, res) || paymentsFastPath(req, res) || visitorFastPath(req, res);
  return {
    config,
    clock,
    db,
    keys,
    version: SERVER_VERSION,
    ...core,
    ...signage,
    ...money,
    ...visitors,
    ...alerts,
    ...playlists,
    fastPath,
  };
}

/** The server's version, reported by /healthz and to kiosks. */
export const SERVER_VERSION = '0.1.0';

const registryKey = Symbol.for('linli.services');

/**
 * The running server's services. The Node entry (server.js) reads them to answer the hottest device calls without
 * SvelteKit's per-request overhead; both sides run in one process, so this is a plain global handoff.
 */
export function registerServices(services: Services): void {
  (globalThis as Record<symbol, unknown>)[registryKey] = services;
}

/** The services registered by `init`; throws if the server has not started. */
export function getServices(): Services {
  const services = (globalThis as Record<symbol, unknown>)[registryKey] as Services | undefined;
  if (!services) throw new Error('Linli services are not initialised');
  return services;
}
