import crypto from 'node:crypto';
import { signPassToken } from '@linli/content/node';
import {
  validateCnIdNumber,
  type UnitLookupRequestV1,
  type UnitLookupV1,
  type VisitorBuildingsV1,
  type VisitorPassV1,
  type VisitorRegistrationV1,
  type VisitStatusV1,
} from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import { fromZonedInput } from '../../cms/zoned-time';
import { decryptPersonal, encryptPersonal, keyedHash, maskPhone } from '../crypto/personal-data';
import type { AuthenticatedDevice } from '../devices/device.schema';
import type { ServerKeys } from '../keys';
import type { Logger } from '../logger';
import type { RegistryService } from '../registry/registry.service';
import { RESIDENT_PHONE_CONTEXT } from '../registry/registry.service';
import { err, ok, type Result } from '../result';
import { buildingDoorId, gateDoorId, parseDoorId } from '../access/doors';
import { maskDocumentNumber, maskName, surnameOf } from './masking';
import type { HostNotification, Notifier } from './notifier';
import type { VisitorRepository } from './visitor.repository';
import {
  DEFAULT_PASS_MINUTES,
  type StationVisit,
  type VisitRecord,
  type VisitSearchForm,
  type WatchlistEntry,
  type WatchlistInput,
} from './visitor.schema';
import { csvField } from '../csv';

/** AAD contexts of the sealed visitor fields, and the keyed-hash context of document numbers. */
export const VISITOR_CONTEXT = {
  name: 'visit.name',
  documentNumber: 'visit.document-number',
  phone: 'visit.phone',
  documentHash: 'visitor.document-number',
} as const;

/** Expected failures of the visitor service (matched by kind). */
export type VisitorFailureKind =
  | 'invalid'
  | 'invalid-id-number'
  | 'unknown-building'
  | 'unknown-unit'
  | 'no-community'
  | 'conflict'
  | 'not-found'
  | 'already-decided'
  | 'link-expired'
  | 'purged';

/** Who acts in the station (a session user). */
export interface StationActor {
  id: string;
  username: string;
}

/** Settings of the visitor flow. */
export interface VisitorSettings {
  /** How long the residents have to answer before the clerk decides. */
  hostTimeoutMs: number;
  /** Days a visit keeps its identity data (stated in the consent text). */
  retentionDays: number;
  /** Base URL of confirmation links; links are paths without it. */
  publicUrl?: string | undefined;
  /**
   * How long a visit may stay undecided (nobody answered, the clerk never decided) before it expires: by then the
   * visitor has left, and a forgotten queue entry must not be approved into a pass hours later. Default 12 h.
   */
  undecidedExpiryMs?: number | undefined;
}

/** Default of `VisitorSettings.undecidedExpiryMs`. */
export const DEFAULT_UNDECIDED_EXPIRY_MS = 12 * 3_600_000;

/** Poll intervals the kiosk is told while a visit can still change. */
const POLL_PENDING_MS = 2_000;
const POLL_GUARD_MS = 5_000;
const SEARCH_PAGE_SIZE = 50;
const EXPORT_MAX_ROWS = 10_000;
const UNDECIDED = ['pending-resident', 'pending-clerk', 'see-guard'] as const;

/** What the visitor service is built on. */
export interface VisitorServiceDeps {
  repository: VisitorRepository;
  registry: RegistryService;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  keys: Pick<ServerKeys, 'dataKey' | 'hashKey' | 'signingKey'>;
  notifiers: Notifier[];
  log: Logger;
  settings: VisitorSettings;
}

/**
 * Visitor real-name registration (seed §6.2.2-2): registration from gate kiosks (exactly once per clientRef),
 * the watch-list, confirmation by the visited unit's residents through signed one-time links, the clerk's
 * decisions, and signed passes. Identity data is sealed on arrival and leaves only masked, except through
 * `reveal` and `exportCsv`, which need a reason and are audited.
 */
export class VisitorService {
  private readonly revokeListeners: ((passId: string) => void)[] = [];

  constructor(private readonly deps: VisitorServiceDeps) {}

  get settings(): VisitorSettings {
    return this.deps.settings;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  /** Called with a pass id whenever a clerk revokes a pass (the access service keeps a revocation set). */
  onPassRevoked(listener: (passId: string) => void): void {
    this.revokeListeners.push(listener);
  }

  /** Pass ids revoked and not yet past their window. */
  revokedPassIds(): string[] {
    return this.deps.repository.revokedPassIds(this.now().toISOString());
  }

  documentHash(documentNumber: string): string {
    return keyedHash(this.deps.keys.hashKey, normalizeDocument(documentNumber), VISITOR_CONTEXT.documentHash);
  }

  // kiosk API

  /** The buildings of the device's community, for the visitor to pick from. */
  buildings(device: AuthenticatedDevice): Result<VisitorBuildingsV1, 'no-community'> {
    if (!device.communityId) return err('no-community', 'this kiosk is not assigned to a community');
    const buildings = this.deps.registry
      .listBuildings(device.communityId)
      .map((b) => ({ id: b.id, label: b.name }));
    return ok({ buildings, retentionDays: this.deps.settings.retentionDays });
  }

  /** Whether a unit exists in the device's community and whom we would ask (masked surnames only). */
  unitLookup(
    device: AuthenticatedDevice,
    request: UnitLookupRequestV1,
  ): Result<UnitLookupV1, 'no-community'> {
    if (!device.communityId) return err('no-community', 'this kiosk is not assigned to a community');
    const target = this.findUnit(device.communityId, request.buildingId, request.unitNumber);
    if (!target.ok) return ok({ found: false, unitLabel: null, residentsMasked: [] });
    const residents = this.deps.registry.repository.listResidents(target.value.unit.id);
    return ok({
      found: true,
      unitLabel: `${target.value.building.name} ${target.value.unit.number}`,
      residentsMasked: residents.map((r) => maskName(r.name)),
    });
  }

  private findUnit(communityId: string, buildingId: string, unitNumber: string) {
    const building = this.deps.registry.getBuilding(buildingId);
    if (!building || building.communityId !== communityId)
      return err('unknown-building' as const, 'no such building in this community');
    const unit = this.deps.registry.repository.findUnitByNumber(building.id, unitNumber.trim());
    if (!unit) return err('unknown-unit' as const, 'no such unit in this building');
    return ok({ building, unit });
  }

  /**
   * Registers a visitor. A repeated `clientRef` answers with the visit it already made (`replayed`), so a kiosk
   * retrying after a timeout or delivering from its outbox never creates a second visit.
   */
  register(
    device: AuthenticatedDevice,
    registration: VisitorRegistrationV1,
  ): Result<VisitStatusV1, VisitorFailureKind> & { replayed?: boolean } {
    const existing = this.deps.repository.getByClientRef(registration.clientRef);
    if (existing) return this.replay(existing, device);
    if (!device.communityId) return err('no-community', 'this kiosk is not assigned to a community');

    const { identity, visit: target } = registration;
    const documentNumber = normalizeDocument(identity.documentNumber);
    if (identity.documentKind === 'cn-id') {
      const valid = validateCnIdNumber(documentNumber, { now: this.now() });
      if (!valid.ok) return err('invalid-id-number', valid.error.message, { reason: valid.error.kind });
    } else if (!/^[A-Z0-9<]{5,20}$/.test(documentNumber)) {
      return err('invalid-id-number', 'a travel document number has 5-20 letters and digits', {
        reason: 'document-number-invalid',
      });
    }
    const found = this.findUnit(device.communityId, target.buildingId, target.unitNumber);
    if (!found.ok) return found;
    const { building, unit } = found.value;

    const now = this.now();
    const at = now.toISOString();
    const { dataKey } = this.deps.keys;
    const documentNumberHash = this.documentHash(documentNumber);
    const watch = this.deps.repository.activeWatchlistMatch(device.communityId, documentNumberHash, at);
    const residents = this.deps.registry.repository.listResidents(unit.id);
    const status: VisitRecord['status'] =
      watch || registration.deferred
        ? 'see-guard'
        : residents.length === 0
          ? 'pending-clerk'
          : 'pending-resident';
    const deadline =
      status === 'pending-resident' ? new Date(now.getTime() + this.deps.settings.hostTimeoutMs) : null;
    const host = status === 'pending-resident' ? residents[0]! : null;

    const visit: VisitRecord = {
      id: crypto.randomUUID(),
      clientRef: registration.clientRef,
      deviceId: device.id,
      communityId: device.communityId,
      buildingId: building.id,
      unitId: unit.id,
      unitNumber: unit.number,
      status,
      guardReason: watch ? 'watch-list' : registration.deferred ? 'deferred' : null,
      visitorSurname: surnameOf(identity.name),
      visitorNameMasked: maskName(identity.name),
      visitorNameEnc: encryptPersonal(dataKey, identity.name, VISITOR_CONTEXT.name),
      documentKind: identity.documentKind,
      documentNumberEnc: encryptPersonal(dataKey, documentNumber, VISITOR_CONTEXT.documentNumber),
      documentNumberHash,
      documentNumberMasked: maskDocumentNumber(identity.documentKind, documentNumber),
      nationality: identity.nationality ?? (identity.documentKind === 'cn-id' ? 'CHN' : null),
      identitySource: identity.source,
      identityConfidence: identity.confidence,
      phoneEnc: encryptPersonal(dataKey, target.phone, VISITOR_CONTEXT.phone),
      phoneMasked: maskPhone(target.phone),
      reason: target.reason,
      reasonNote: target.reasonNote || null,
      companions: target.companions,
      plate: target.plate ?? null,
      consentVersion: registration.consent.textVersion,
      consentAt: new Date(registration.consent.at).toISOString(),
      submittedAt: new Date(registration.submittedAt).toISOString(),
      registeredAt: at,
      deferred: registration.deferred,
      hostResidentId: host?.id ?? null,
      hostMasked: host ? maskName(host.name) : null,
      residentDeadline: deadline?.toISOString() ?? null,
      watchlistId: watch?.id ?? null,
      alertAcknowledgedAt: null,
      decidedBy: null,
      decidedAt: null,
      passId: null,
      passDoors: null,
      passValidFrom: null,
      passValidTo: null,
      passRevokedAt: null,
      purgedAt: null,
    };
    const notifications: HostNotification[] = [];
    const unitLabel = `${building.name} ${unit.number}`;
    const write = this.deps.repository.db.transaction(() => {
      this.deps.repository.insertVisit(visit);
      if (status === 'pending-resident') {
        for (const resident of residents) {
          const id = crypto.randomBytes(16).toString('base64url');
          const phone = resident.phoneEnc
            ? decryptPersonal(dataKey, resident.phoneEnc, RESIDENT_PHONE_CONTEXT)
            : null;
          this.deps.repository.insertConfirmation({
            id,
            visitId: visit.id,
            residentId: resident.id,
            channel: phone?.ok ? 'sms' : 'link',
            createdAt: at,
            expiresAt: deadline!.toISOString(),
            usedAt: null,
            answer: null,
          });
          notifications.push({
            visitId: visit.id,
            residentId: resident.id,
            residentMasked: maskName(resident.name),
            phone: phone?.ok ? phone.value : null,
            link: this.linkUrl(id),
            unitLabel,
            visitorMasked: visit.visitorNameMasked,
            expiresAt: deadline!.toISOString(),
          });
        }
      }
      this.deps.audit.record({
        actor: `device:${device.id}`,
        action: 'visitor.register',
        target: visit.id,
        detail: { status, guardReason: visit.guardReason, building: building.id, unit: unit.number },
      });
      if (watch) {
        this.deps.audit.record({
          actor: `device:${device.id}`,
          action: 'visitor.watchlist-hit',
          target: visit.id,
          detail: { watchlistId: watch.id },
        });
      }
    });
    try {
      write.immediate();
    } catch (error) {
      // two deliveries of one clientRef racing (kiosk retry beside its outbox): the first insert won
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const winner = this.deps.repository.getByClientRef(registration.clientRef);
        if (winner) return this.replay(winner, device);
      }
      throw error;
    }
    if (watch) this.deps.log.warn({ visitId: visit.id, watchlistId: watch.id }, 'visitor watch-list hit');
    this.notifyAll(notifications);
    return ok(this.statusOf(visit));
  }

  private replay(existing: VisitRecord, device: AuthenticatedDevice) {
    if (existing.deviceId !== device.id)
      return err('conflict', 'this clientRef belongs to another kiosk') as ReturnType<
        VisitorService['register']
      >;
    this.sweep();
    return { ...ok(this.statusOf(this.deps.repository.get(existing.id)!)), replayed: true };
  }

  private notifyAll(notifications: HostNotification[]): void {
    for (const notification of notifications) {
      for (const notifier of this.deps.notifiers) {
        const failed = (error: unknown) =>
          this.deps.log.error(
            { visitId: notification.visitId, notifier: notifier.name, error: (error as Error).message },
            'host notification failed',
          );
        try {
          // a slow gateway must not hold up the kiosk's answer: an async notifier finishes on its own
          void Promise.resolve(notifier.notify(notification)).catch(failed);
        } catch (error) {
          failed(error);
        }
      }
    }
  }

  /** The kiosk's poll: where this device's registration stands. */
  status(device: AuthenticatedDevice, clientRef: string): Result<VisitStatusV1, 'not-found'> {
    this.sweep();
    const visit = this.deps.repository.getByClientRef(clientRef);
    if (!visit || visit.deviceId !== device.id)
      return err('not-found', 'no registration with this clientRef');
    return ok(this.statusOf(visit));
  }

  /**
   * Moves visits nobody answered in time to the clerk, and expires visits left undecided for too long (audited
   * one by one). Cheap (two indexed updates); called on every read and by a timer.
   */
  sweep(): number {
    const now = this.now();
    const moved = this.deps.repository.moveOverdueToClerk(now.toISOString());
    const maxAge = this.deps.settings.undecidedExpiryMs ?? DEFAULT_UNDECIDED_EXPIRY_MS;
    const expired = this.deps.repository.expireUndecided(
      new Date(now.getTime() - maxAge).toISOString(),
      now.toISOString(),
    );
    for (const visitId of expired) {
      this.deps.audit.record({
        actor: null,
        action: 'visitor.expired-undecided',
        target: visitId,
        detail: { afterHours: Math.round((maxAge / 3_600_000) * 10) / 10 },
      });
    }
    return moved + expired.length;
  }

  private effectiveStatus(visit: VisitRecord): VisitRecord['status'] {
    if (
      visit.status === 'approved' &&
      (visit.passRevokedAt || (visit.passValidTo && this.now().toISOString() >= visit.passValidTo))
    )
      return 'expired';
    return visit.status;
  }

  private statusOf(visit: VisitRecord): VisitStatusV1 {
    const status = this.effectiveStatus(visit);
    return {
      clientRef: visit.clientRef,
      visitId: visit.id,
      status,
      hostMasked: visit.hostMasked,
      pass: status === 'approved' ? this.passOf(visit) : null,
      pollAfterMs:
        status === 'pending-resident' || status === 'pending-clerk'
          ? POLL_PENDING_MS
          : status === 'see-guard'
            ? POLL_GUARD_MS
            : null,
    };
  }

  /** The signed pass of an approved visit. Ed25519 signatures are deterministic: re-signing gives the same token. */
  private passOf(visit: VisitRecord): VisitorPassV1 | null {
    if (!visit.passId || !visit.passDoors || !visit.passValidFrom || !visit.passValidTo) return null;
    const token = signPassToken(
      {
        v: 1,
        p: visit.passId,
        c: visit.communityId,
        d: visit.passDoors,
        nbf: Math.floor(Date.parse(visit.passValidFrom) / 1000),
        exp: Math.floor(Date.parse(visit.passValidTo) / 1000),
      },
      this.deps.keys.signingKey,
    );
    return {
      passId: visit.passId,
      token,
      doors: visit.passDoors.map((door) => this.doorLabel(door)),
      validFrom: visit.passValidFrom,
      validTo: visit.passValidTo,
    };
  }

  /** A door's name for people: `幸福里社区 大门`, `2号楼`. */
  doorLabel(doorId: string): string {
    const door = parseDoorId(doorId);
    if (door?.kind === 'gate') {
      const community = this.deps.registry.getCommunity(door.communityId);
      return community ? `${community.name} 大门` : doorId;
    }
    if (door?.kind === 'building') return this.deps.registry.getBuilding(door.buildingId)?.name ?? doorId;
    return doorId;
  }

  // resident confirmation links

  /** `<id>.<HMAC>`: the link proves itself, so the station can show it again without storing it. */
  linkToken(confirmationId: string): string {
    const mac = crypto
      .createHmac('sha256', this.deps.keys.hashKey)
      .update('visit-confirmation\0')
      .update(confirmationId)
      .digest()
      .subarray(0, 18)
      .toString('base64url');
    return `${confirmationId}.${mac}`;
  }

  private linkUrl(confirmationId: string): string {
    const path = `/v/${this.linkToken(confirmationId)}`;
    return this.deps.settings.publicUrl ? new URL(path, this.deps.settings.publicUrl).toString() : path;
  }

  private confirmationOf(token: string) {
    const [id, mac, extra] = token.split('.');
    if (!id || !mac || extra !== undefined || id.length > 64) return null;
    const expected = Buffer.from(this.linkToken(id));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    const confirmation = this.deps.repository.confirmation(id);
    if (!confirmation) return null;
    const visit = this.deps.repository.get(confirmation.visitId);
    return visit ? { confirmation, visit } : null;
  }

  /** What the resident's confirmation page shows (masked), and whether it can still be answered. */
  confirmationPage(token: string): Result<
    {
      state: 'open' | 'answered' | 'expired';
      unitLabel: string;
      visitorMasked: string;
      reason: VisitRecord['reason'];
      reasonNote: string | null;
      companions: number;
      registeredAt: string;
      expiresAt: string;
      status: VisitRecord['status'];
    },
    'not-found'
  > {
    this.sweep();
    const found = this.confirmationOf(token);
    if (!found) return err('not-found', 'unknown or invalid confirmation link');
    const { confirmation, visit } = found;
    const building = this.deps.registry.getBuilding(visit.buildingId);
    const state =
      confirmation.usedAt || !UNDECIDED.includes(visit.status as (typeof UNDECIDED)[number])
        ? 'answered'
        : visit.status !== 'pending-resident' || this.now().toISOString() >= confirmation.expiresAt
          ? 'expired'
          : 'open';
    return ok({
      state,
      unitLabel: `${building?.name ?? ''} ${visit.unitNumber}`.trim(),
      visitorMasked: visit.visitorNameMasked,
      reason: visit.reason,
      reasonNote: visit.reasonNote,
      companions: visit.companions,
      registeredAt: visit.registeredAt,
      expiresAt: confirmation.expiresAt,
      status: visit.status,
    });
  }

  /** A resident's answer through their link: once, before the deadline, while the visit waits for residents. */
  answerConfirmation(
    token: string,
    approve: boolean,
    minutes: number = DEFAULT_PASS_MINUTES,
  ): Result<{ status: VisitRecord['status'] }, 'not-found' | 'already-decided' | 'link-expired'> {
    this.sweep();
    const found = this.confirmationOf(token);
    if (!found) return err('not-found', 'unknown or invalid confirmation link');
    const { confirmation, visit } = found;
    if (confirmation.usedAt || !UNDECIDED.includes(visit.status as (typeof UNDECIDED)[number]))
      return err('already-decided', 'this visit has already been answered');
    if (visit.status !== 'pending-resident' || this.now().toISOString() >= confirmation.expiresAt)
      return err('link-expired', 'the time to answer has passed; the service station decides now');
    const decided = this.applyDecision(
      visit,
      approve,
      minutes,
      { actor: `resident:${confirmation.residentId}`, audit: 'resident' },
      ['pending-resident'],
      confirmation.id,
    );
    if (!decided.ok) return decided;
    return ok({ status: decided.value.status });
  }

  private applyDecision(
    visit: VisitRecord,
    approve: boolean,
    minutes: number,
    by: { actor: string; audit: string | StationActor },
    from: readonly string[],
    confirmationId: string | null,
  ): Result<VisitRecord, 'already-decided'> {
    const now = this.now();
    const at = now.toISOString();
    const pass = approve
      ? {
          id: crypto.randomUUID(),
          doors: [gateDoorId(visit.communityId), buildingDoorId(visit.buildingId)],
          validFrom: at,
          validTo: new Date(now.getTime() + minutes * 60_000).toISOString(),
        }
      : null;
    const changed = this.deps.repository.db
      .transaction(() => {
        const done = this.deps.repository.decide(visit.id, from, {
          status: approve ? 'approved' : 'declined',
          decidedBy: by.actor,
          decidedAt: at,
          pass,
        });
        if (!done) return false;
        this.deps.repository.closeConfirmations(
          visit.id,
          confirmationId,
          approve ? 'approve' : 'decline',
          at,
        );
        this.deps.audit.record({
          actor: by.audit,
          action: approve ? 'visitor.approve' : 'visitor.decline',
          target: visit.id,
          detail: {
            decidedBy: by.actor,
            ...(pass ? { passId: pass.id, validTo: pass.validTo, doors: pass.doors } : {}),
          },
        });
        return true;
      })
      .immediate();
    if (!changed) return err('already-decided', 'this visit has already been decided');
    return ok(this.deps.repository.get(visit.id)!);
  }

  // station console

  /** The live queue: visits waiting for a resident or the clerk, and unacknowledged guard alerts. */
  queue(communityId: string | null = null): StationVisit[] {
    this.sweep();
    return this.deps.repository.open(communityId).map((visit) => this.toStation(visit, true));
  }

  /** One visit for the station (masked). */
  view(visitId: string): StationVisit | null {
    const visit = this.deps.repository.get(visitId);
    return visit ? this.toStation(visit, true) : null;
  }

  private toStation(visit: VisitRecord, withLinks: boolean): StationVisit {
    const building = this.deps.registry.getBuilding(visit.buildingId);
    const links =
      withLinks && visit.status === 'pending-resident'
        ? this.deps.repository
            .confirmationsOf(visit.id)
            .filter((c) => !c.usedAt)
            .map((c) => {
              const resident = this.deps.registry.repository.getResident(c.residentId);
              return {
                residentMasked: resident ? maskName(resident.name) : '*',
                path: `/v/${this.linkToken(c.id)}`,
              };
            })
        : [];
    return {
      id: visit.id,
      status: this.effectiveStatus(visit),
      guardReason: visit.guardReason,
      registeredAt: visit.registeredAt,
      buildingId: visit.buildingId,
      unitLabel: `${building?.name ?? visit.buildingId} ${visit.unitNumber}`,
      visitorNameMasked: visit.visitorNameMasked,
      documentKind: visit.documentKind,
      documentNumberMasked: visit.documentNumberMasked,
      phoneMasked: visit.phoneMasked,
      reason: visit.reason,
      reasonNote: visit.reasonNote,
      companions: visit.companions,
      plate: visit.plate,
      hostMasked: visit.hostMasked,
      residentDeadline: visit.residentDeadline,
      decidedBy: visit.decidedBy,
      decidedAt: visit.decidedAt,
      passValidTo: visit.passValidTo,
      passRevoked: visit.passRevokedAt !== null,
      deferred: visit.deferred,
      purged: visit.purgedAt !== null,
      links,
    };
  }

  /** The clerk approves (with a duration) or declines a visit that is still undecided. */
  decide(
    visitId: string,
    approve: boolean,
    actor: StationActor,
    minutes: number = DEFAULT_PASS_MINUTES,
  ): Result<StationVisit, 'not-found' | 'already-decided'> {
    this.sweep();
    const visit = this.deps.repository.get(visitId);
    if (!visit) return err('not-found', 'no such visit');
    const decided = this.applyDecision(
      visit,
      approve,
      minutes,
      { actor: `clerk:${actor.username}`, audit: actor },
      UNDECIDED,
      null,
    );
    return decided.ok ? ok(this.toStation(decided.value, false)) : decided;
  }

  /** The guard has seen a watch-list or deferred visitor (the alert leaves the live queue). */
  acknowledgeAlert(visitId: string, actor: StationActor): Result<void, 'not-found'> {
    if (!this.deps.repository.acknowledgeAlert(visitId, this.now().toISOString()))
      return err('not-found', 'no open alert for this visit');
    this.deps.audit.record({ actor, action: 'visitor.alert-acknowledged', target: visitId });
    return ok(undefined);
  }

  /** Ends a pass before its time (the access service refuses it from now on). */
  revokePass(visitId: string, actor: StationActor): Result<void, 'not-found'> {
    const visit = this.deps.repository.get(visitId);
    if (!visit?.passId || !this.deps.repository.revokePass(visitId, this.now().toISOString()))
      return err('not-found', 'no active pass for this visit');
    this.deps.audit.record({
      actor,
      action: 'visitor.pass-revoked',
      target: visitId,
      detail: { passId: visit.passId },
    });
    for (const listener of this.revokeListeners) listener(visit.passId);
    return ok(undefined);
  }

  private searchWindow(form: Pick<VisitSearchForm, 'from' | 'to'>): { from: string; to: string } {
    const now = this.now();
    const from = form.from
      ? fromZonedInput(`${form.from}T00:00`)
      : new Date(now.getTime() - 30 * 86_400_000).toISOString();
    const to = form.to
      ? new Date(
          Date.parse(fromZonedInput(`${form.to}T00:00`) ?? now.toISOString()) + 86_400_000,
        ).toISOString()
      : new Date(now.getTime() + 86_400_000).toISOString();
    return { from: from ?? now.toISOString(), to };
  }

  /** History search, newest first, 50 a page (masked). */
  search(communityId: string, form: VisitSearchForm): { visits: StationVisit[]; hasMore: boolean } {
    const rows = this.deps.repository.search({
      communityId,
      ...this.searchWindow(form),
      ...(form.buildingId ? { buildingId: form.buildingId } : {}),
      ...(form.unitNumber ? { unitNumber: form.unitNumber } : {}),
      ...(form.name ? { surname: surnameOf(form.name) } : {}),
      ...(form.status ? { status: form.status } : {}),
      limit: SEARCH_PAGE_SIZE,
      offset: (form.page - 1) * SEARCH_PAGE_SIZE,
    });
    return {
      visits: rows.slice(0, SEARCH_PAGE_SIZE).map((visit) => this.toStation(visit, false)),
      hasMore: rows.length > SEARCH_PAGE_SIZE,
    };
  }

  /** The unmasked identity of one visit, for a stated reason; every call is audited. */
  reveal(
    visitId: string,
    reason: string,
    actor: StationActor,
  ): Result<{ name: string; documentNumber: string; phone: string }, 'not-found' | 'purged'> {
    const visit = this.deps.repository.get(visitId);
    if (!visit) return err('not-found', 'no such visit');
    const opened = this.unseal(visit);
    if (!opened) return err('purged', 'the identity data of this visit has been purged');
    this.deps.audit.record({ actor, action: 'visitor.reveal', target: visitId, detail: { reason } });
    return ok(opened);
  }

  private unseal(visit: VisitRecord): { name: string; documentNumber: string; phone: string } | null {
    if (!visit.visitorNameEnc || !visit.documentNumberEnc || !visit.phoneEnc) return null;
    const { dataKey } = this.deps.keys;
    const name = decryptPersonal(dataKey, visit.visitorNameEnc, VISITOR_CONTEXT.name);
    const documentNumber = decryptPersonal(dataKey, visit.documentNumberEnc, VISITOR_CONTEXT.documentNumber);
    const phone = decryptPersonal(dataKey, visit.phoneEnc, VISITOR_CONTEXT.phone);
    if (!name.ok || !documentNumber.ok || !phone.ok) return null;
    return { name: name.value, documentNumber: documentNumber.value, phone: phone.value };
  }

  /**
   * CSV of the visits matching `form`, unmasked, for an official request: the reason is required and audited
   * with the filter and the row count. Cells are guarded against spreadsheet formula injection.
   */
  exportCsv(
    communityId: string,
    form: VisitSearchForm,
    reason: string,
    actor: StationActor,
  ): { csv: string; rows: number } {
    const window = this.searchWindow(form);
    const rows = this.deps.repository.search({
      communityId,
      ...window,
      ...(form.buildingId ? { buildingId: form.buildingId } : {}),
      ...(form.unitNumber ? { unitNumber: form.unitNumber } : {}),
      ...(form.name ? { surname: surnameOf(form.name) } : {}),
      ...(form.status ? { status: form.status } : {}),
      limit: EXPORT_MAX_ROWS - 1,
      offset: 0,
    });
    const header = [
      'registered_at',
      'building',
      'unit',
      'status',
      'name',
      'document_kind',
      'document_number',
      'nationality',
      'phone',
      'reason',
      'reason_note',
      'companions',
      'plate',
      'decided_by',
      'decided_at',
      'pass_valid_to',
    ];
    const lines = [header.join(',')];
    for (const visit of rows) {
      const opened = this.unseal(visit);
      const building = this.deps.registry.getBuilding(visit.buildingId);
      lines.push(
        [
          visit.registeredAt,
          building?.name ?? visit.buildingId,
          visit.unitNumber,
          visit.status,
          opened?.name ?? visit.visitorNameMasked,
          visit.documentKind,
          opened?.documentNumber ?? visit.documentNumberMasked,
          visit.nationality ?? '',
          opened?.phone ?? visit.phoneMasked,
          visit.reason,
          visit.reasonNote ?? '',
          String(visit.companions),
          visit.plate ?? '',
          visit.decidedBy ?? '',
          visit.decidedAt ?? '',
          visit.passValidTo ?? '',
        ]
          .map(csvField)
          .join(','),
      );
    }
    this.deps.audit.record({
      actor,
      action: 'visitor.export',
      target: communityId,
      detail: { reason, rows: rows.length, filter: { ...form, ...window } },
    });
    return { csv: `\uFEFF${lines.join('\r\n')}\r\n`, rows: rows.length };
  }

  // watch-list

  listWatchlist(communityId: string): WatchlistEntry[] {
    return this.deps.repository.listWatchlist(communityId);
  }

  addToWatchlist(
    communityId: string,
    input: WatchlistInput,
    actor: StationActor,
  ): Result<WatchlistEntry, 'invalid'> {
    const number = normalizeDocument(input.documentNumber);
    if (!/^[0-9A-Z<]{5,20}$/.test(number)) return err('invalid', 'not a document number');
    const kind = /^\d{17}[\dX]$/.test(number) ? 'cn-id' : 'mrz-td3';
    if (kind === 'cn-id' && !validateCnIdNumber(number, { now: this.now() }).ok)
      return err('invalid', 'not a valid resident ID number');
    const expiresAt = input.expiresOn ? (fromZonedInput(`${input.expiresOn}T23:59:59`) ?? null) : null;
    const entry: WatchlistEntry = {
      id: crypto.randomUUID(),
      communityId,
      documentNumberHash: this.documentHash(number),
      documentNumberMasked: maskDocumentNumber(kind, number),
      reason: input.reason,
      expiresAt,
      createdBy: actor.username,
      createdAt: this.now().toISOString(),
    };
    this.deps.repository.db
      .transaction(() => {
        this.deps.repository.insertWatchlist(entry);
        this.deps.audit.record({
          actor,
          action: 'visitor.watchlist-add',
          target: entry.id,
          detail: { documentNumber: entry.documentNumberMasked, reason: entry.reason, expiresAt },
        });
      })
      .immediate();
    return ok(entry);
  }

  removeFromWatchlist(id: string, actor: StationActor): Result<void, 'not-found'> {
    const removed = this.deps.repository.db
      .transaction(() => {
        if (!this.deps.repository.removeWatchlist(id, actor.username, this.now().toISOString())) return false;
        this.deps.audit.record({ actor, action: 'visitor.watchlist-remove', target: id });
        return true;
      })
      .immediate();
    return removed ? ok(undefined) : err('not-found', 'no such watch-list entry');
  }
}

/** Document numbers compare without spaces and case (`11010519491231002x` is the same person). */
export function normalizeDocument(number: string): string {
  return number.replace(/\s+/g, '').toUpperCase();
}
