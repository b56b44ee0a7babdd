import { m0001 } from './0001-initial';
import { m0002 } from './0002-auth-throttle';
import { m0003 } from './0003-ledger';
import { m0004 } from './0004-fleet';
import { m0005 } from './0005-visitors';
import { m0006 } from './0006-alerts';
import { m0007 } from './0007-content-schedule';
import { m0008 } from './0008-content-versions';
import { m0009 } from './0009-media-library';
import { m0010 } from './0010-content-kinds';
import { m0011 } from './0011-playlists-layouts-stats';
import { m0012 } from './0012-rating-keys';
import { m0013 } from './0013-ledger-hot-path';
import { m0014 } from './0014-topup-pending';
import { m0015 } from './0015-topup-orders-card';
import { m0016 } from './0016-topup-order-requester';
import { m0017 } from './0017-payment-pages';

/** A numbered schema change. Append only: never edit a migration that has shipped. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** Every migration, in order. */
export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
  m0010,
  m0011,
  m0012,
  m0013,
  m0014,
  m0015,
  m0016,
  m0017,
];
