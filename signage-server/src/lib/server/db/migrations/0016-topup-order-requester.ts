import type { Migration } from './index';

/**
 * Who asked for an online top-up order (`device:<id>`), so that only the kiosk that showed its QR code can follow
 * it (`GET /api/v1/payments/topup-orders/<id>`). Orders made before this migration have none and stay readable.
 */
export const m0016: Migration = {
  version: 16,
  name: '0016-topup-order-requester',
  up: /* sql */ `
    ALTER TABLE topup_orders ADD COLUMN requested_by TEXT;
  `,
};
