import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/**
 * The e-receipt a resident opens from the kiosk's QR code. No sign-in: the id carries a keyed tag, so receipts
 * cannot be enumerated, and it shows no name or card number — only what was paid, when, and the bills.
 */
export const load: PageServerLoad = ({ locals, params }) => {
  const receipt = locals.services.payments.receipt(params.receiptId);
  if (!receipt) error(404, { message: 'receipt not found', kind: 'not-found' });
  const bills = receipt.billIds
    .map((id) => locals.services.bills.get(id))
    .filter((bill) => bill !== null)
    .map((bill) => ({ id: bill.id, category: bill.category, period: bill.period, amount: bill.amount }));
  return { receipt, bills };
};
