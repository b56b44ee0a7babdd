import crypto from 'node:crypto';
import { PAIRING_CODE_ALPHABET, type EnrollRequestV1, type EnrollResponseV1 } from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { SessionUser } from '../auth/roles';
import type { Clock } from '../clock';
import type { DeviceRepository } from './device.repository';
import {
  PAIRING_CODE_TTL_MS,
  DeviceDetailsRequest,
  PairingCodeRequest,
  type AuthenticatedDevice,
  type DeviceRecord,
  type DeviceResult,
  type IssuedPairingCode,
} from './device.schema';

/** Who acts: a signed-in user, or null for the system (CLI, the kiosk itself). */
export type Actor = Pick<SessionUser, 'id' | 'username'> | null;

/** `last_seen_at` is written at most this often per device, so polling kiosks do not turn reads into writes. */
export const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;

// crypto.hash (one-shot, Node >= 20.12) is about twice as fast as createHash for short inputs: it runs on every poll
const sha256 = (text: string) => crypto.hash('sha256', text, 'buffer');
const sha256Hex = (text: string) => crypto.hash('sha256', text, 'hex');

/** `Bearer <deviceId>.<secret>`: a UUID and 32 random bytes in base64url. */
const BEARER = /^Bearer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;
const BEARER_LENGTH = 'Bearer '.length + 36 + 1 + 43;

/** Compared against when the device id is unknown, so unknown and known ids cost the same work. */
const DUMMY_HASH = sha256('linli: no such device');

interface ActiveDevice {
  device: AuthenticatedDevice;
  credentialHash: Buffer;
  lastSeenWrittenMs: number;
}

/** A fresh 8-character pairing code from the alphabet without look-alikes. */
export function generatePairingCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += PAIRING_CODE_ALPHABET[crypto.randomInt(PAIRING_CODE_ALPHABET.length)];
  return code;
}

/**
 * Kiosk enrolment and authentication. Pairing codes and credentials are stored only as sha256 hashes. Active
 * devices are also held in memory (id -> credential hash) because every kiosk poll authenticates: the database is
 * read once at start and the map is updated by enrol and revoke, which only this process performs.
 */
export class DeviceService {
  private readonly active = new Map<string, ActiveDevice>();
  private readonly revokeListeners = new Set<(deviceId: string) => void>();
  private readonly updateListeners = new Set<(deviceId: string) => void>();

  constructor(
    private readonly repository: DeviceRepository,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
  ) {
    for (const device of repository.listActive())
      this.remember(device, device.credentialHash, device.lastSeenAt);
  }

  private remember(device: AuthenticatedDevice, credentialHash: string, lastSeenAt: string | null): void {
    this.active.set(device.id, {
      device: { id: device.id, name: device.name, communityId: device.communityId },
      credentialHash: Buffer.from(credentialHash, 'hex'),
      lastSeenWrittenMs: lastSeenAt ? Date.parse(lastSeenAt) : 0,
    });
  }

  /** Calls `listener` with the id of every device revoked from now on (SSE streams close on it). */
  onRevoke(listener: (deviceId: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  /** Calls `listener` with the id of every device whose details were changed (its manifest scope may move). */
  onUpdate(listener: (deviceId: string) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Every device, active first. */
  list(): DeviceRecord[] {
    return this.repository.list().map(({ credentialHash: _hash, ...device }) => device);
  }

  /** One device, or null. */
  get(deviceId: string): DeviceRecord | null {
    const found = this.repository.get(deviceId);
    if (!found) return null;
    const { credentialHash: _hash, ...device } = found;
    return device;
  }

  /** Buildings a device may be placed in (content targeting). */
  listBuildings(): { id: string; communityId: string; name: string }[] {
    return this.repository.listBuildings();
  }

  /** Communities a pairing code may be bound to. */
  listCommunities(): { id: string; name: string }[] {
    return this.repository.listCommunities();
  }

  /** Issues a single-use pairing code, valid for `ttlMs` (15 min). Only its hash is stored. */
  createPairingCode(
    request: PairingCodeRequest,
    actor: Actor,
    ttlMs = PAIRING_CODE_TTL_MS,
  ): DeviceResult<IssuedPairingCode> {
    const parsed = PairingCodeRequest.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: { kind: 'invalid', message: issue?.message ?? 'invalid', field: String(issue?.path[0] ?? '') },
      };
    }
    const { communityId, deviceName } = parsed.data;
    if (communityId && !this.repository.communityExists(communityId)) {
      return { ok: false, error: { kind: 'invalid', message: 'unknown community', field: 'communityId' } };
    }
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const code = generatePairingCode();
    this.repository.transaction(() => {
      this.repository.insertPairingCode({
        code_hash: sha256Hex(code),
        community_id: communityId,
        device_name: deviceName,
        created_by: actor?.id ?? null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      });
      this.audit.record({
        actor,
        action: 'device.pairing-code',
        target: communityId ?? '',
        detail: { expiresAt, deviceName },
      });
    });
    return { ok: true, value: { code, expiresAt, communityId, deviceName } };
  }

  /**
   * Exchanges a pairing code for a device credential. A wrong, expired or used code gets the same answer, so the
   * response tells an attacker nothing about which codes exist.
   */
  enroll(request: EnrollRequestV1, serverPublicKey: string): DeviceResult<EnrollResponseV1> {
    const invalid = {
      ok: false,
      error: { kind: 'pairing-code-invalid', message: 'pairing code unknown, used or expired' },
    } as const;
    const now = this.clock.now().toISOString();
    const codeHash = sha256Hex(request.pairingCode);
    const pairing = this.repository.getPairingCode(codeHash);
    if (!pairing || pairing.used_at !== null || pairing.expires_at <= now) return invalid;

    const deviceId = crypto.randomUUID();
    const credential = `${deviceId}.${crypto.randomBytes(32).toString('base64url')}`;
    const credentialHash = sha256Hex(credential);
    const device = {
      id: deviceId,
      name: pairing.device_name ?? request.name,
      communityId: pairing.community_id,
      credentialHash,
      platform: request.platform,
      appVersion: request.appVersion,
      createdAt: now,
    };
    try {
      this.repository.transaction(() => {
        this.repository.insertDevice(device);
        // the conditional update is the single-use guarantee: of two racing requests only one changes the row
        if (!this.repository.consumePairingCode(codeHash, deviceId, now)) throw new PairingRace();
        this.audit.record({
          actor: null,
          action: 'device.enroll',
          target: deviceId,
          detail: { name: device.name },
        });
      });
    } catch (error) {
      if (error instanceof PairingRace) return invalid;
      throw error;
    }
    this.remember(device, credentialHash, null);
    return {
      ok: true,
      value: { deviceId, credential, serverPublicKey, communityId: device.communityId },
    };
  }

  /**
   * The device an `Authorization` header belongs to, or null (missing, malformed, unknown or revoked). The
   * credential hash is compared in constant time against the stored one, or a dummy for unknown ids.
   */
  authenticate(authorization: string | undefined | null): AuthenticatedDevice | null {
    if (!authorization || authorization.length !== BEARER_LENGTH) return null;
    const match = BEARER.exec(authorization);
    if (!match) return null;
    const entry = this.active.get(match[1] as string);
    const presented = sha256(`${match[1]}.${match[2]}`);
    const equal = crypto.timingSafeEqual(presented, entry?.credentialHash ?? DUMMY_HASH);
    return equal && entry ? entry.device : null;
  }

  /** Records that the device was seen now; writes at most once a minute per device. */
  touch(device: AuthenticatedDevice): void {
    const entry = this.active.get(device.id);
    if (!entry) return;
    const now = this.clock.now();
    if (now.getTime() - entry.lastSeenWrittenMs < LAST_SEEN_WRITE_INTERVAL_MS) return;
    entry.lastSeenWrittenMs = now.getTime();
    this.repository.updateLastSeen(device.id, now.toISOString());
  }

  /** Renames a device, moves it to another community, sets its group and tags (audited, one transaction). */
  update(deviceId: string, request: DeviceDetailsRequest, actor: Actor): DeviceResult<DeviceRecord> {
    const parsed = DeviceDetailsRequest.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: { kind: 'invalid', message: issue?.message ?? 'invalid', field: String(issue?.path[0] ?? '') },
      };
    }
    const details = parsed.data;
    if (details.communityId && !this.repository.communityExists(details.communityId)) {
      return { ok: false, error: { kind: 'invalid', message: 'unknown community', field: 'communityId' } };
    }
    // a building only makes sense inside the device's own community
    if (
      details.buildingId &&
      (!details.communityId || !this.repository.buildingInCommunity(details.buildingId, details.communityId))
    ) {
      return {
        ok: false,
        error: { kind: 'invalid', message: 'building not in the community', field: 'buildingId' },
      };
    }
    const before = this.repository.get(deviceId);
    if (!before) return { ok: false, error: { kind: 'not-found', message: 'no such device' } };
    this.repository.transaction(() => {
      this.repository.updateDetails(deviceId, details);
      this.audit.record({
        actor,
        action: 'device.update',
        target: deviceId,
        detail: {
          before: {
            name: before.name,
            communityId: before.communityId,
            group: before.group,
            tags: before.tags,
            buildingId: before.buildingId,
          },
          after: details,
        },
      });
    });
    // the in-memory copy answers every authenticated call: keep its name and community in step
    const entry = this.active.get(deviceId);
    if (entry) entry.device = { id: deviceId, name: details.name, communityId: details.communityId };
    for (const listener of this.updateListeners) {
      try {
        listener(deviceId);
      } catch (error) {
        console.error('device update listener failed', error);
      }
    }
    const { credentialHash: _hash, ...record } = this.repository.get(deviceId)!;
    return { ok: true, value: record };
  }

  /** Cuts a device off: its credential stops working at once and its event stream closes. */
  revoke(deviceId: string, actor: Actor): DeviceResult<DeviceRecord> {
    const now = this.clock.now().toISOString();
    const revoked = this.repository.transaction(() => {
      if (!this.repository.revoke(deviceId, now)) return false;
      this.audit.record({ actor, action: 'device.revoke', target: deviceId });
      return true;
    });
    const device = this.repository.get(deviceId);
    if (!device) return { ok: false, error: { kind: 'not-found', message: 'no such device' } };
    this.active.delete(deviceId);
    if (revoked) {
      for (const listener of this.revokeListeners) listener(deviceId);
    }
    const { credentialHash: _hash, ...record } = device;
    return { ok: true, value: record };
  }
}

/** Thrown inside the enrol transaction to roll it back when the code was consumed concurrently. */
class PairingRace extends Error {}
