import type { Migration } from './index';

/**
 * Kiosks send residents' ratings through their outbox, repeating a rating with the same idempotency key until an
 * answer arrives: the key is stored with the rating, once per device (ratings sent without one, by kiosks older
 * than the outbox, keep NULL and are never matched).
 */
export const m0012: Migration = {
  version: 12,
  name: '0012-rating-keys',
  up: /* sql */ `
    ALTER TABLE provider_ratings ADD COLUMN idempotency_key TEXT;
    CREATE UNIQUE INDEX provider_ratings_key ON provider_ratings (device_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL;
  `,
};
