import type { Migration } from './index';

/**
 * Content scheduling and targeting (issue 4): each content row carries its dayparts, priority and targeting beside
 * its validity window, as JSON the content/ schemas (Daypart, Targeting) parse on read. Kiosks may also be placed
 * in a building, so content can be targeted at one building's lobby.
 */
export const m0007: Migration = {
  version: 7,
  name: '0007-content-schedule',
  up: /* sql */ `
    -- JSON array of {days, start, end}; empty: at any time within the validity window.
    ALTER TABLE content_items ADD COLUMN dayparts TEXT NOT NULL DEFAULT '[]';
    -- Higher plays first (0–100); 50 for everything written before schedules existed.
    ALTER TABLE content_items ADD COLUMN priority INTEGER NOT NULL DEFAULT 50
      CHECK (priority BETWEEN 0 AND 100);
    -- JSON {communities, buildings, groups, tags}; every list empty: every device.
    ALTER TABLE content_items ADD COLUMN target TEXT NOT NULL
      DEFAULT '{"communities":[],"buildings":[],"groups":[],"tags":[]}';

    ALTER TABLE devices ADD COLUMN building_id TEXT REFERENCES buildings(id);
  `,
};
