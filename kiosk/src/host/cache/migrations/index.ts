import { migration0001 } from './0001-create-device';
import { migration0002 } from './0002-create-manifest';
import { migration0003 } from './0003-create-assets';
import { migration0004 } from './0004-create-search-index';
import { migration0005 } from './0005-create-visitor-outbox';
import { migration0006 } from './0006-create-alerts';
import { migration0007 } from './0007-create-play-log';
import { migration0008 } from './0008-create-rating-outbox';
import type { Migration } from './migration';

/** Every migration, in order. Append only: a shipped migration is never edited. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
];
export type { Migration };
