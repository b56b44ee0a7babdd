import type { Migration } from './migration';

/**
 * Full-text search over all content, in every language: an FTS5 table with the trigram tokenizer, which needs no
 * word segmentation and so handles Chinese (no spaces between words) and English alike. A trigram index can only
 * look up terms of three characters or more; shorter queries (most Chinese words are two characters) fall back
 * to LIKE over the same table (see CacheRepository.searchItems). `search_meta` records which manifest version the
 * index was built from, so a cache migrated from version 3 (manifest present, index empty) is filled on start.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'create-search-index',
  up: `
    CREATE VIRTUAL TABLE search_index USING fts5(
      item_id UNINDEXED,
      locale UNINDEXED,
      category UNINDEXED,
      title,
      summary,
      body,
      tokenize = 'trigram'
    );
    CREATE TABLE search_meta (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      manifest_version TEXT NOT NULL
    ) STRICT;
  `,
};
