import crypto from 'node:crypto';
import {
  parsePassToken,
  passRefusal,
  type AccessPublicKeyV1,
  type AccessReason,
  type AccessVerifyRequestV1,
  type AccessVerifyResponseV1,
  type PassPayloadV1,
} from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { CardRecord } from '../cards/card.schema';
import type { Clock } from '../clock';
import { keyedHash } from '../crypto/personal-data';
import type { ServerKeys } from '../keys';
import type { Logger } from '../logger';
import type { RegistryService } from '../registry/registry.service';
import { err, ok, type Result } from '../result';
import { maskName } from '../visitors/masking';
import type { StationActor } from '../visitors/visitor.service';
import { AccessLogWriter } from './access-log.writer';
import type { AccessCardRecord, AccessLogEntry, AccessRepository } from './access.repository';
import { buildingDoorId, gateDoorId, parseDoorId } from './doors';

const DOOR_SECRET_CONTEXT = 'door-secret';

/** A door as the station lists it. */
export interface DoorView {
  id: string;
  kind: 'gate' | 'building';
  label: string;
  secretIssuedAt: string | null;
}

/** What the access service is built on. */
export interface AccessServiceDeps {
  repository: AccessRepository;
  registry: RegistryService;
  /** The community card of a UID, if one was issued (one card: identity + wallet). */
  communityCard: (uid: string) => Pick<CardRecord, 'status' | 'residentId'> | null;
  revokedPassIds: () => string[];
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  keys: Pick<ServerKeys, 'hashKey' | 'signingKey'>;
  log: Logger;
  timeZone?: string;
  /** Where attempts are logged; default: a writer thread on the repository's database file. */
  logWriter?: AccessLogWriter;
}

/** What `verify` decided before it is logged and answered. */
interface Decision {
  allow: boolean;
  reason: AccessReason;
  subject: string | null;
  display: string | null;
}

/**
 * Linked access control (seed §6.2.2-1, -3): door controllers ask whether a visitor pass or a resident card opens
 * their door. Door controllers authenticate with a per-door secret (`Authorization: Bearer <secret>`, issued in
 * the station console, stored as a keyed hash) and may only ask about their own door. Every attempt is logged.
 */
export class AccessService {
  private readonly publicKey: crypto.KeyObject;
  private readonly publicKeyInfo: AccessPublicKeyV1;
  private doorBySecretHash: Map<string, string> | null = null;
  private secretsLoadedAt = 0;
  private readonly doorBySecret = new Map<string, string>();
  /** Tokens whose signature verified, with what the door shows for them (see `verifiedPass`). */
  private readonly verifiedPasses = new Map<string, { payload: PassPayloadV1; display: string }>();
  private revoked: Set<string> | null = null;
  private readonly logWriter: AccessLogWriter;
  private readonly knownDoors = new Map<string, boolean>();
  private readonly timeFormat: Intl.DateTimeFormat;

  constructor(private readonly deps: AccessServiceDeps) {
    const db = deps.repository.db;
    this.logWriter =
      deps.logWriter ??
      new AccessLogWriter({ repository: deps.repository, log: deps.log, file: db.memory ? null : db.name });
    this.publicKey = crypto.createPublicKey(deps.keys.signingKey);
    this.publicKeyInfo = {
      algorithm: 'Ed25519',
      spki: this.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      pem: String(this.publicKey.export({ type: 'spki', format: 'pem' })),
    };
    this.timeFormat = new Intl.DateTimeFormat('zh-CN', {
      timeZone: deps.timeZone ?? 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
  }

  /** The key door controllers pin to verify passes offline. */
  publicKeyOf(): AccessPublicKeyV1 {
    return this.publicKeyInfo;
  }

  /** Called when a clerk revokes a pass. */
  passRevoked(passId: string): void {
    this.revokedSet().add(passId);
  }

  private revokedSet(): Set<string> {
    this.revoked ??= new Set(this.deps.revokedPassIds());
    return this.revoked;
  }

  // doors

  /** The door an `Authorization: Bearer <door secret>` header belongs to, or null. */
  authenticateDoor(authorization: string | null | undefined): string | null {
    if (!authorization?.startsWith('Bearer ')) return null;
    const secret = authorization.slice(7).trim();
    if (secret.length < 16 || secret.length > 200) return null;
    const remembered = this.doorBySecret.get(secret);
    if (remembered) return remembered;
    const hash = keyedHash(this.deps.keys.hashKey, secret, DOOR_SECRET_CONTEXT);
    const known = this.doorSecretMap().get(hash);
    if (known) return this.rememberSecret(secret, known);
    // a secret issued by another process (`linli door-sim issue-secret`): reload, at most once a second so that
    // a controller hammering with a wrong secret cannot turn every request into a table scan
    const now = Date.now();
    if (now - this.secretsLoadedAt < 1_000) return null;
    this.doorBySecretHash = null;
    const reloaded = this.doorSecretMap().get(hash);
    return reloaded ? this.rememberSecret(secret, reloaded) : null;
  }

  /**
   * Valid secrets seen, so the HMAC runs once per controller rather than per request; only secrets that matched
   * are kept (bounded by the number of doors), and any new issue clears the map so a replaced secret stops at once.
   */
  private rememberSecret(secret: string, doorId: string): string {
    if (this.doorBySecret.size >= 10_000) this.doorBySecret.clear();
    this.doorBySecret.set(secret, doorId);
    return doorId;
  }

  private doorSecretMap(): Map<string, string> {
    if (!this.doorBySecretHash) {
      this.doorBySecretHash = new Map(
        this.deps.repository.doorSecrets().map((d) => [d.secretHash, d.doorId]),
      );
      this.secretsLoadedAt = Date.now();
    }
    return this.doorBySecretHash;
  }

  /** Whether a door id names a registered gate or building door. */
  doorExists(doorId: string): boolean {
    const cached = this.knownDoors.get(doorId);
    if (cached !== undefined) return cached;
    const door = parseDoorId(doorId);
    const exists =
      door?.kind === 'gate'
        ? this.deps.registry.getCommunity(door.communityId) !== null
        : door?.kind === 'building'
          ? this.deps.registry.getBuilding(door.buildingId) !== null
          : false;
    // only positive answers are cached: a building registered later must be found
    if (exists) this.knownDoors.set(doorId, true);
    return exists;
  }

  /** The doors of a community: its gate and one per building. */
  doors(communityId: string): DoorView[] {
    const issued = this.deps.repository.doorSecretIssued();
    const community = this.deps.registry.getCommunity(communityId);
    if (!community) return [];
    const gate = gateDoorId(communityId);
    return [
      {
        id: gate,
        kind: 'gate' as const,
        label: `${community.name} 大门`,
        secretIssuedAt: issued.get(gate) ?? null,
      },
      ...this.deps.registry.listBuildings(communityId).map((b) => {
        const id = buildingDoorId(b.id);
        return { id, kind: 'building' as const, label: b.name, secretIssuedAt: issued.get(id) ?? null };
      }),
    ];
  }

  /** A new secret for a door controller (replacing any earlier one); shown once, only its hash is kept. */
  issueDoorSecret(
    doorId: string,
    actor: StationActor | string,
  ): Result<{ doorId: string; secret: string }, 'not-found'> {
    if (!this.doorExists(doorId)) return err('not-found', 'no such door');
    // The prefix names what it is in a config file, and keeps a secret from starting with '-', which command lines
    // (door-sim's `--secret <s>`, node:util parseArgs) would take for an option.
    const secret = `lds_${crypto.randomBytes(24).toString('base64url')}`;
    const secretHash = keyedHash(this.deps.keys.hashKey, secret, DOOR_SECRET_CONTEXT);
    this.deps.repository.db
      .transaction(() => {
        this.deps.repository.setDoorSecret(
          doorId,
          secretHash,
          typeof actor === 'string' ? actor : actor.username,
          this.deps.clock.now().toISOString(),
        );
        this.deps.audit.record({ actor, action: 'access.door-secret', target: doorId });
      })
      .immediate();
    this.doorBySecretHash = null;
    this.doorBySecret.clear();
    return ok({ doorId, secret });
  }

  // verify

  /** Decides one attempt at `doorId` and logs it. The caller has checked the controller owns `doorId`. */
  verify(request: AccessVerifyRequestV1): AccessVerifyResponseV1 {
    const nowMs = this.deps.clock.now().getTime();
    const { credential } = request;
    const decision =
      credential.kind === 'qr'
        ? this.verifyPass(request.doorId, credential.token, nowMs)
        : this.verifyCard(request.doorId, credential.uid);
    this.logWriter.append(
      nowMs,
      request.doorId,
      credential.kind,
      decision.subject,
      decision.allow,
      decision.reason,
    );
    return { allow: decision.allow, reason: decision.reason, display: decision.display };
  }

  private verifyPass(doorId: string, token: string, nowMs: number): Decision {
    if (!this.doorExists(doorId)) return denied('unknown-door', null);
    const verified = this.verifiedPass(token);
    if (verified === 'malformed' || verified === 'bad-signature') return denied(verified, null);
    const { payload, display } = verified;
    // revocation, time window and door are checked on every attempt: only the signature check is remembered
    if (this.revokedSet().has(payload.p)) return denied('revoked', payload.p);
    const refusal = passRefusal(payload, doorId, Math.floor(nowMs / 1000));
    if (refusal) return denied(refusal, payload.p);
    return { allow: true, reason: 'ok-visitor-pass', subject: payload.p, display };
  }

  /**
   * A token's payload once its Ed25519 signature has verified. A signature check is a pure function of the token
   * and the key, and costs more CPU than the rest of the request together, while one pass is shown at a gate, a
   * building door and again on the way out: verified tokens are remembered (bounded; the map is dropped when
   * full). Refused tokens are not remembered, so garbage cannot fill it.
   */
  private verifiedPass(
    token: string,
  ): { payload: PassPayloadV1; display: string } | 'malformed' | 'bad-signature' {
    const known = this.verifiedPasses.get(token);
    if (known) return known;
    const parsed = parsePassToken(token);
    if (!parsed) return 'malformed';
    if (!crypto.verify(null, parsed.signingBytes, this.publicKey, parsed.signature)) return 'bad-signature';
    const holder = this.deps.repository.passHolder(parsed.payload.p);
    const until = this.timeFormat.format(new Date(parsed.payload.exp * 1000));
    const entry = {
      payload: parsed.payload,
      display: holder ? `访客 ${holder.nameMasked} · 至 ${until}` : `访客 · 至 ${until}`,
    };
    if (this.verifiedPasses.size >= 10_000) this.verifiedPasses.clear();
    this.verifiedPasses.set(token, entry);
    return entry;
  }

  private verifyCard(doorId: string, uid: string): Decision {
    const deny = (reason: AccessReason) => denied(reason, uid);
    const door = parseDoorId(doorId);
    if (!door || !this.doorExists(doorId)) return deny('unknown-door');
    // a lost, replaced or closed community card is refused at every door at once (the same physical card)
    const wallet = this.deps.communityCard(uid);
    if (wallet && wallet.status !== 'active') return deny('card-blocked');
    const card = this.deps.repository.card(uid);
    if (!card) return deny('unknown-card');
    if (card.status !== 'active') return deny('card-blocked');
    const place = this.deps.repository.residentPlace(card.residentId);
    if (!place) return deny('unknown-card');
    const opens =
      door.kind === 'gate'
        ? door.communityId === place.communityId
        : card.buildingIds.includes(door.buildingId);
    if (!opens) return deny('wrong-door');
    return {
      allow: true,
      reason: 'ok-resident-card',
      subject: uid,
      display: `住户 ${maskName(place.name)}`,
    };
  }

  /**
   * Commits every attempt so far to the access log before returning (on shutdown and before the log is read);
   * synchronous, so a shutdown or exit hook can rely on it.
   */
  flush(): void {
    this.logWriter.drain();
  }

  /** The newest access log entries (with door labels). */
  accessLog(filter: { doorId?: string; page: number }): {
    entries: (AccessLogEntry & { doorLabel: string })[];
    hasMore: boolean;
  } {
    this.flush();
    const pageSize = 100;
    const rows = this.deps.repository.listLog({
      ...(filter.doorId ? { doorId: filter.doorId } : {}),
      limit: pageSize + 1,
      offset: (filter.page - 1) * pageSize,
    });
    return {
      entries: rows.slice(0, pageSize).map((e) => ({ ...e, doorLabel: this.doorLabel(e.doorId) })),
      hasMore: rows.length > pageSize,
    };
  }

  private doorLabel(doorId: string): string {
    const door = parseDoorId(doorId);
    if (door?.kind === 'gate')
      return `${this.deps.registry.getCommunity(door.communityId)?.name ?? door.communityId} 大门`;
    if (door?.kind === 'building') return this.deps.registry.getBuilding(door.buildingId)?.name ?? doorId;
    return doorId;
  }

  // resident cards

  /** Binds a card (tapped on the station reader) to a resident and the buildings it opens (default: theirs). */
  bindCard(
    input: { uid: string; residentId: string; buildingIds: string[] },
    actor: StationActor,
  ): Result<AccessCardRecord, 'not-found' | 'invalid' | 'conflict'> {
    const resident = this.deps.registry.getResident(input.residentId);
    if (!resident) return err('not-found', 'no such resident');
    const context = this.deps.registry.unitContext(resident.unitId);
    if (!context) return err('not-found', 'no such resident');
    const buildingIds = input.buildingIds.length ? [...new Set(input.buildingIds)] : [context.building.id];
    for (const id of buildingIds) {
      if (this.deps.registry.getBuilding(id)?.communityId !== context.community.id)
        return err('invalid', 'a card opens buildings of its holder’s community only');
    }
    const wallet = this.deps.communityCard(input.uid);
    if (wallet && wallet.residentId !== input.residentId)
      return err('conflict', 'this card is the community card of another resident');
    this.deps.repository.db
      .transaction(() => {
        this.deps.repository.bindCard(
          input.uid,
          input.residentId,
          buildingIds,
          actor.username,
          this.deps.clock.now().toISOString(),
        );
        this.deps.audit.record({
          actor,
          action: 'access.card-bind',
          target: input.uid,
          detail: { residentId: input.residentId, buildings: buildingIds },
        });
      })
      .immediate();
    return ok(this.deps.repository.card(input.uid)!);
  }

  /** Blocks (lost) or unblocks a card: refused at the very next tap. */
  setCardBlocked(uid: string, blocked: boolean, actor: StationActor): Result<void, 'not-found'> {
    const changed = this.deps.repository.db
      .transaction(() => {
        if (
          !this.deps.repository.setCardStatus(
            uid,
            blocked ? 'blocked' : 'active',
            actor.username,
            this.deps.clock.now().toISOString(),
          )
        )
          return false;
        this.deps.audit.record({
          actor,
          action: blocked ? 'access.card-block' : 'access.card-unblock',
          target: uid,
        });
        return true;
      })
      .immediate();
    return changed ? ok(undefined) : err('not-found', 'no such card, or it already has that state');
  }

  cards(communityId: string) {
    return this.deps.repository.cardsOfCommunity(communityId).map((card) => ({
      ...card,
      residentName: maskName(card.residentName),
    }));
  }
}

function denied(reason: AccessReason, subject: string | null): Decision {
  return { allow: false, reason, subject, display: null };
}
