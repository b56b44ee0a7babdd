import type { Migration } from './index';

/**
 * The media library (issue 4): what the server learnt about each asset when it was uploaded (pixel size, video
 * duration and codec), the sha256 of its preview (thumbnail or video poster, kept in the preview store, not in
 * the asset store the kiosks sync from) and the texts an editor may change (display name, alt text).
 */
export const m0009: Migration = {
  version: 9,
  name: '0009-media-library',
  up: /* sql */ `
    ALTER TABLE assets ADD COLUMN width INTEGER CHECK (width IS NULL OR width > 0);
    ALTER TABLE assets ADD COLUMN height INTEGER CHECK (height IS NULL OR height > 0);
    ALTER TABLE assets ADD COLUMN duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0);
    ALTER TABLE assets ADD COLUMN codec TEXT;
    -- WebP thumbnail of an image, poster frame of a video; NULL when there is none (PDF, assets from before 0009).
    ALTER TABLE assets ADD COLUMN preview_sha256 TEXT;
    ALTER TABLE assets ADD COLUMN alt_text TEXT NOT NULL DEFAULT '';
    ALTER TABLE assets ADD COLUMN updated_at TEXT;

    -- the library lists newest first and filters by type
    CREATE INDEX assets_created ON assets(created_at);
    CREATE INDEX assets_mime ON assets(mime);
  `,
};
