import type { Migration } from './index';

/**
 * The station's card page lists the card's online top-up orders (paid, waiting, closed), newest first, so a clerk
 * can answer "I paid on my phone but see nothing". Without an index that read the whole order table per page view.
 */
export const m0015: Migration = {
  version: 15,
  name: '0015-topup-orders-card',
  up: /* sql */ `
    CREATE INDEX topup_orders_card ON topup_orders (card_id, created_at);
  `,
};
