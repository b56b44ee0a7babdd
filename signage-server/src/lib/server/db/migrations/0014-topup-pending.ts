import type { Migration } from './index';

/**
 * `/metrics` reports the top-up outbox (orders still waiting for the provider's callback: count and oldest) on every
 * scrape. Paid and failed orders pile up for good, so without an index that query read the whole table each time;
 * the partial index holds only the open rows, as `device_commands_open` does for remote commands.
 */
export const m0014: Migration = {
  version: 14,
  name: '0014-topup-pending',
  up: /* sql */ `
    CREATE INDEX topup_orders_pending ON topup_orders (created_at) WHERE status = 'pending';
  `,
};
