import { seedDemoCommunity } from '../registry/demo-community';
import { createPaymentServices } from '../payments.services';
import { createTestCore, TEST_SCRYPT } from './core.fixture';

/** A station clerk in service calls. */
export const CLERK = { id: 'clerk-1', username: 'clerk1' };
/** A second clerk (refund approvals need another person). */
export const SUPERVISOR = { id: 'clerk-2', username: 'supervisor' };
/** The sim provider secret in tests. */
export const TEST_PROVIDER_SECRET = 'test-provider-secret-0123456789';

/** Core + payment services over a fresh temp database holding the demo community (no demo cards). */
export function createTestPayments(pinRequiredAbove = 20_000) {
  const core = createTestCore();
  seedDemoCommunity({
    db: core.db,
    clock: core.clock,
    audit: core.audit,
    repository: core.registry.repository,
    sealPhone: (phone) => core.registry.sealPhone(phone),
  });
  const money = createPaymentServices({
    config: { pinRequiredAbove, simProviderSecret: TEST_PROVIDER_SECRET, onlineTopUp: 'sim' },
    clock: core.clock,
    db: core.db,
    keys: core.keys,
    audit: core.audit,
    phoneHash: (phone) => core.registry.phoneHash(phone),
    pinScrypt: TEST_SCRYPT,
  });
  /** The first `n` owner residents with their unit and phone. */
  const residents = (n: number) =>
    core.db
      .prepare(
        `SELECT r.id, r.unit_id AS unitId, r.phone_enc AS phoneEnc FROM residents r WHERE r.role = 'owner' ORDER BY r.id LIMIT ?`,
      )
      .all(n) as { id: string; unitId: string }[];
  return { ...core, ...money, residents };
}
export type TestPayments = ReturnType<typeof createTestPayments>;
