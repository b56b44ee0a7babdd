import type { Migration } from './index';

/**
 * Content kinds (issue 4): each item says what it is (a notice, an image, a video, a PDF, a ticker, a QR code, a
 * community-guide place or a service-provider card) and carries that kind's fields as JSON, which the content/
 * schemas (content-kind.schema.ts) check on save and on read. Residents' ratings of service providers
 * (§6.2.1-6 监督公开) are stored one row per rating; screens get their average and count in the manifest.
 */
export const m0010: Migration = {
  version: 10,
  name: '0010-content-kinds',
  up: /* sql */ `
    -- every item written before kinds existed is a Markdown notice without attachments
    ALTER TABLE content_items ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice'
      CHECK (kind IN ('notice', 'image', 'video', 'pdf', 'ticker', 'qr', 'place', 'provider'));
    ALTER TABLE content_items ADD COLUMN payload TEXT NOT NULL DEFAULT '{}';

    CREATE TABLE provider_ratings (
      id INTEGER PRIMARY KEY,
      -- the card (content id, all locales) rated; a card deleted later keeps its history
      item_id TEXT NOT NULL,
      -- the kiosk that sent it: ratings are limited per device, residents are anonymous
      device_id TEXT NOT NULL,
      score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
      created_at TEXT NOT NULL
    );
    CREATE INDEX provider_ratings_item ON provider_ratings (item_id);
    CREATE INDEX provider_ratings_device_time ON provider_ratings (device_id, created_at);
  `,
};
