import type { AuditService } from './audit/audit.service';
import type { CardService } from './cards/card.service';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Db } from './db/database';
import type { ServerKeys } from './keys';
import { createLogger, type Logger } from './logger';
import type { RegistryService } from './registry/registry.service';
import { AccessRepository } from './access/access.repository';
import { AccessService } from './access/access.service';
import { createAccessFastPath } from './access/access-fast-path';
import { LoggingSmsNotifier, StationLinkNotifier, type Notifier } from './visitors/notifier';
import { VisitorRepository } from './visitors/visitor.repository';
import { VisitorService } from './visitors/visitor.service';

/** Visitors and access control (issue 6). */
export interface VisitorServices {
  visitors: VisitorService;
  access: AccessService;
  smsNotifier: LoggingSmsNotifier;
}

/** What the visitor services are built on. */
export interface VisitorDependencies {
  config: Pick<
    ServerConfig,
    'visitorHostTimeoutSeconds' | 'visitorRetentionDays' | 'visitorUndecidedExpiryHours' | 'publicUrl'
  >;
  clock: Clock;
  db: Db;
  keys: Pick<ServerKeys, 'dataKey' | 'hashKey' | 'signingKey'>;
  audit: Pick<AuditService, 'record'>;
  registry: RegistryService;
  cards: Pick<CardService, 'getByUid'>;
  log?: Logger;
  notifiers?: Notifier[];
}

/** Wires the visitor and access services. */
export function createVisitorServices(deps: VisitorDependencies): VisitorServices {
  const log = deps.log ?? createLogger('visitors');
  const smsNotifier = new LoggingSmsNotifier(log);
  const visitors = new VisitorService({
    repository: new VisitorRepository(deps.db),
    registry: deps.registry,
    audit: deps.audit,
    clock: deps.clock,
    keys: deps.keys,
    notifiers: deps.notifiers ?? [new StationLinkNotifier(log), smsNotifier],
    log,
    settings: {
      hostTimeoutMs: deps.config.visitorHostTimeoutSeconds * 1000,
      retentionDays: deps.config.visitorRetentionDays,
      publicUrl: deps.config.publicUrl,
      undecidedExpiryMs: deps.config.visitorUndecidedExpiryHours * 3_600_000,
    },
  });
  const access = new AccessService({
    repository: new AccessRepository(deps.db),
    registry: deps.registry,
    communityCard: (uid) => deps.cards.getByUid(uid),
    revokedPassIds: () => visitors.revokedPassIds(),
    audit: deps.audit,
    clock: deps.clock,
    keys: deps.keys,
    log,
  });
  visitors.onPassRevoked((passId) => access.passRevoked(passId));
  return { visitors, access, smsNotifier };
}

/** The device-API fast path of access control (composed into `services.fastPath`). */
export function createVisitorFastPath(services: VisitorServices) {
  return createAccessFastPath(services.access);
}

/**
 * Background work while the server runs: visits nobody answered go to the clerk on time even when no one polls,
 * and buffered access log entries are written on shutdown.
 */
export function startVisitorServices(services: VisitorServices, sweepMs = 5_000): () => void {
  const timer = setInterval(() => {
    try {
      services.visitors.sweep();
    } catch (error) {
      console.error('visitor sweep failed', error);
    }
  }, sweepMs);
  timer.unref();
  const onShutdown = () => services.access.flush();
  process.on('sveltekit:shutdown', onShutdown);
  // requests still in flight after the shutdown signal are logged too: the last drain runs as the process exits
  process.on('exit', onShutdown);
  return () => {
    clearInterval(timer);
    process.off('sveltekit:shutdown', onShutdown);
    process.off('exit', onShutdown);
    services.access.flush();
  };
}
