import crypto from 'node:crypto';
import type { AuditService } from './audit/audit.service';
import type { ScryptParams } from './auth/password';
import { BillRepository } from './bills/bill.repository';
import { BillService } from './bills/bill.service';
import { CardRepository } from './cards/card.repository';
import { CardService, PIN_SCRYPT } from './cards/card.service';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Db } from './db/database';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, type WalCheckpointer } from './db/wal-checkpointer';
import type { ServerKeys } from './keys';
import { LedgerRepository } from './ledger/ledger.repository';
import { LedgerService } from './ledger/ledger.service';
import { seedDemoPayments } from './payments/demo-payments';
import { SimulatedPaymentProvider } from './payments/payment-provider.sim';
import { PaymentWriter } from './payments/payment-writer';
import { PaymentRepository } from './payments/payment.repository';
import { PaymentService } from './payments/payment.service';
import { SimCheckout } from './payments/sim-checkout';

/** The money half of the server (issue 7): ledger, cards, bills, payments. */
export interface PaymentServices {
  ledger: LedgerService;
  cards: CardService;
  bills: BillService;
  payments: PaymentService;
  simProvider: SimulatedPaymentProvider;
  /** The simulated provider's payer side (the /sim-pay page), only with LINLI_ONLINE_TOPUP=sim. */
  simCheckout: SimCheckout | null;
}

/** What the payment services are built on. */
export interface PaymentDependencies {
  config: Pick<ServerConfig, 'pinRequiredAbove' | 'simProviderSecret' | 'onlineTopUp'> &
    Partial<Pick<ServerConfig, 'publicUrl'>>;
  clock: Clock;
  db: Db;
  keys: Pick<ServerKeys, 'hashKey'>;
  audit: Pick<AuditService, 'record'>;
  phoneHash: (phone: string) => string;
  pinScrypt?: ScryptParams;
}

/** The simulated provider's secret when none is configured: derived from the hash key, stable across restarts. */
export function defaultSimProviderSecret(hashKey: Buffer): Buffer {
  return crypto.createHmac('sha256', hashKey).update('linli sim provider').digest();
}

/** Wires the payment services. */
export function createPaymentServices(deps: PaymentDependencies): PaymentServices {
  const { config, clock, db, keys, audit } = deps;
  const ledger = new LedgerService(new LedgerRepository(db), clock, keys.hashKey);
  const cards = new CardService(
    new CardRepository(db),
    ledger,
    audit,
    clock,
    keys.hashKey,
    deps.pinScrypt ?? PIN_SCRYPT,
  );
  const bills = new BillService(new BillRepository(db), audit, clock);
  const simProvider = new SimulatedPaymentProvider(
    config.simProviderSecret ? Buffer.from(config.simProviderSecret) : defaultSimProviderSecret(keys.hashKey),
  );
  const payments = new PaymentService({
    repository: new PaymentRepository(db),
    ledger,
    cards,
    bills,
    audit,
    clock,
    hashKey: keys.hashKey,
    providers: [simProvider],
    phoneHash: deps.phoneHash,
    pinRequiredAbove: config.pinRequiredAbove,
    onlineTopUpProvider: config.onlineTopUp === 'off' ? null : config.onlineTopUp,
    publicUrl: config.publicUrl,
  });
  const simCheckout =
    config.onlineTopUp === 'sim'
      ? new SimCheckout({ provider: simProvider, getOrder: (id) => payments.getOrder(id) })
      : null;
  return { ledger, cards, bills, payments, simProvider, simCheckout };
}

/**
 * First-start work: demo cards and bills for the demo community when LINLI_SEED_DEMO is on; then, with
 * a database file, the payments writer thread (LINLI_PAYMENTS_WRITER=0 keeps payments on the main thread). On a quiet
 * machine it measured 20-25 % faster than the main thread's own group commit (docs/ledger.md, "Round 3"). Start the
 * WAL checkpointer first (`services.walCheckpointer`), so that the writer leaves checkpoints to it (Round 9).
 */
export async function startPaymentServices(
  services: PaymentServices & {
    config: Pick<ServerConfig, 'seedDemo' | 'pinRequiredAbove' | 'topUpOrderExpiryHours'>;
    db: Db;
    keys: Pick<ServerKeys, 'hashKey'>;
    walCheckpointer?: WalCheckpointer | null;
  },
  log: (line: string) => void = console.log,
): Promise<void> {
  if (services.config.seedDemo) {
    const seeded = await seedDemoPayments(services);
    if (seeded.cards > 0) log(`Seeded demo payments: ${seeded.cards} cards, ${seeded.bills} unpaid bills.`);
  }
  startOrderExpiry(services.payments, services.config.topUpOrderExpiryHours, log);
  if (services.db.memory || process.env.LINLI_PAYMENTS_WRITER === '0') return;
  const { payments } = services;
  try {
    payments.useWriter(
      await PaymentWriter.start({
        file: services.db.name,
        hashKey: services.keys.hashKey,
        pinRequiredAbove: services.config.pinRequiredAbove,
        // with a checkpointer thread, the writer's COMMITs do not stop to checkpoint (docs/ledger.md, Round 9)
        ...(services.walCheckpointer ? { autocheckpoint: BACKSTOP_AUTOCHECKPOINT_PAGES } : {}),
        local: (payment) => payments.settlePayment(payment),
        log,
      }),
    );
  } catch (error) {
    // payments still work without the thread, on this one: slower, never wrong
    log(`payments writer thread unavailable (${(error as Error).message}): writing payments here`);
  }
}

/** How often unpaid online top-up orders are looked for and closed. */
const ORDER_EXPIRY_EVERY_MS = 10 * 60_000;

/** Closes abandoned top-up orders now and every ten minutes (the timer never holds the process). */
function startOrderExpiry(payments: PaymentService, hours: number, log: (line: string) => void): void {
  const expire = () => {
    try {
      const closed = payments.expireTopUpOrders(hours);
      if (closed > 0) log(`Closed ${closed} online top-up order(s) nobody paid within ${hours} h.`);
    } catch (error) {
      log(`closing unpaid top-up orders failed: ${(error as Error).message}`);
    }
  };
  expire();
  const timer = setInterval(expire, ORDER_EXPIRY_EVERY_MS);
  timer.unref();
  process.once('sveltekit:shutdown', () => clearInterval(timer));
}
