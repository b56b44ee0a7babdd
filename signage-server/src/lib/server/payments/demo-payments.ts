import { DEMO_COMMUNITY_ID } from '../registry/demo-community';
import type { BillService } from '../bills/bill.service';
import type { CardService } from '../cards/card.service';
import type { PaymentService } from './payment.service';

/** UIDs of the demo cards. The first is the UID the virtual test card in peripherals answers (04 A1 B2 C3 D4 E5 F6). */
export const DEMO_CARD_UIDS = ['04A1B2C3D4E5F6', '04B2C3D4E5F607', '0A1B2C3D'] as const;
/** PIN of every demo card. */
export const DEMO_CARD_PIN = '123456';
/** ID number bound to the first demo card (the GB 11643 specimen), for the kiosk's lost-card report. */
export const DEMO_ID_NUMBER = '11010519491231002X';

const SYSTEM = { id: 'system', username: 'system' };

/**
 * A few cards with money and unpaid bills in the demo community, so the kiosk's payment screens have something
 * to show after a fresh install. Runs only when there is no card yet and the demo community exists.
 */
export async function seedDemoPayments(services: {
  cards: CardService;
  bills: BillService;
  payments: PaymentService;
}): Promise<{ cards: number; bills: number }> {
  const { cards, bills, payments } = services;
  if (cards.repository.count() > 0) return { cards: 0, bills: 0 };
  const residents = cards.repository.firstResidents(DEMO_COMMUNITY_ID, DEMO_CARD_UIDS.length);
  if (residents.length === 0) return { cards: 0, bills: 0 };
  let billCount = 0;
  for (const [index, resident] of residents.entries()) {
    const issued = await cards.issue(
      {
        uid: DEMO_CARD_UIDS[index],
        residentId: resident.id,
        pin: DEMO_CARD_PIN,
        ...(index === 0 ? { idNumber: DEMO_ID_NUMBER } : {}),
      },
      SYSTEM,
    );
    if (!issued.ok) continue;
    payments.topUpCash(issued.value.id, 30_000 + index * 10_000, SYSTEM, {
      scope: 'user:system',
      key: `demo-topup-${index}`,
    });
    const demoBills = [
      { category: 'water', amount: 4_650 },
      { category: 'electricity', amount: 12_830 },
      { category: 'gas', amount: 3_120 },
    ] as const;
    for (const bill of demoBills) {
      const inserted = bills.repository.insertIfAbsent({
        id: `demo-${bill.category}-${resident.unitId}`,
        unitId: resident.unitId,
        category: bill.category,
        period: '2026-10',
        amount: bill.amount,
        dueDate: '2026-12-31',
        source: 'demo',
        createdAt: new Date().toISOString(),
      });
      if (inserted) billCount++;
    }
  }
  return { cards: residents.length, bills: billCount };
}
