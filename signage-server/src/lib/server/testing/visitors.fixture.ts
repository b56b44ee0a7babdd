import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import { cnIdCheckCharacter, type VisitorRegistrationV1 } from '@linli/content';
import { createLogger } from '../logger';
import { createVisitorServices } from '../visitors.services';
import { createTestPayments } from './payments.fixture';

/** A gate kiosk of the demo community. */
export const GATE_KIOSK = { id: 'gate-kiosk-1', name: 'Gate', communityId: 'xingfuli' };
/** A station clerk. */
export const VISITOR_CLERK = { id: 'clerk-1', username: 'clerk1' };

/** A valid GB 11643 number for the given first 17 digits. */
export function cnId(first17: string): string {
  return first17 + cnIdCheckCharacter(first17);
}

/** The visitor's raw ID number the privacy tests search for everywhere. */
export const VISITOR_ID = cnId('11010519850317123');
export const VISITOR_PHONE = '13912345678';
export const VISITOR_NAME = '张三丰';

/** Core + payments + visitors over the demo community, with the visitor log captured in memory. */
export function createTestVisitors(hostTimeoutSeconds = 180) {
  const env = createTestPayments();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('visitors', { LINLI_LOG_LEVEL: 'debug' }, sink);
  const visitorServices = createVisitorServices({
    config: {
      visitorHostTimeoutSeconds: hostTimeoutSeconds,
      visitorRetentionDays: 90,
      visitorUndecidedExpiryHours: 12,
      publicUrl: undefined,
    },
    clock: env.clock,
    db: env.db,
    keys: env.keys,
    audit: env.audit,
    registry: env.registry,
    cards: env.cards,
    log,
  });
  /** A unit of a building with (or without) residents. */
  const unitOf = (buildingId: string, withResidents = true) =>
    env.db
      .prepare(
        `SELECT u.number FROM units u WHERE u.building_id = ? AND u.type = 'residential'
           AND ${withResidents ? '' : 'NOT'} EXISTS (SELECT 1 FROM residents r WHERE r.unit_id = u.id)
         ORDER BY u.number LIMIT 1`,
      )
      .pluck()
      .get(buildingId) as string;
  const registration = (overrides: Partial<VisitorRegistrationV1['visit']> = {}, idNumber = VISITOR_ID) =>
    ({
      clientRef: crypto.randomUUID(),
      consent: { accepted: true, textVersion: 'v1', at: env.clock.now().toISOString() },
      identity: {
        documentKind: 'cn-id',
        documentNumber: idNumber,
        name: VISITOR_NAME,
        source: 'reader',
        confidence: 1,
      },
      visit: {
        buildingId: 'xingfuli-b2',
        unitNumber: unitOf('xingfuli-b2'),
        reason: 'friend',
        companions: 0,
        phone: VISITOR_PHONE,
        ...overrides,
      },
      submittedAt: env.clock.now().toISOString(),
      deferred: false,
    }) satisfies VisitorRegistrationV1;
  return { ...env, ...visitorServices, logLines, unitOf, registration };
}
export type TestVisitors = ReturnType<typeof createTestVisitors>;
