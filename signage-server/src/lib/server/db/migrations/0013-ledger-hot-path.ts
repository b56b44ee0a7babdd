import type { Migration } from './index';

/**
 * The payment hot path writes less (issue 7, bench `payments`; signage-server/docs/ledger.md, Round 5):
 * - `ledger_transactions_card` is dropped: no query reads transactions by card (statements go through the
 *   wallet's entries), yet every payment wrote one page of it, a sixth of a group commit's WAL frames.
 * - The seven biller payables exist from now on, so a payment no longer makes sure of its payable account with
 *   an insert first. Bill categories are a closed list (the `bills.category` CHECK); a new category needs a
 *   migration anyway, which adds its payable beside it.
 */
export const m0013: Migration = {
  version: 13,
  name: '0013-ledger-hot-path',
  up: /* sql */ `
    DROP INDEX ledger_transactions_card;
    INSERT OR IGNORE INTO ledger_accounts (id, kind, name, balance, created_at)
      SELECT 'payable:' || category, 'biller-payable', 'payable ' || category, 0,
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      FROM (SELECT 'water' AS category UNION ALL SELECT 'electricity' UNION ALL SELECT 'gas'
            UNION ALL SELECT 'heating' UNION ALL SELECT 'property' UNION ALL SELECT 'cable-tv'
            UNION ALL SELECT 'parking');
  `,
};
