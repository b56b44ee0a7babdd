import { m0001 } from './0001-initial';
import { m0002 } from './0002-auth-throttle';
import { m0003 } from './0003-ledger';
import { m0004 } from './0004-fleet';
import { m0005 } from './0005-visitors';

/** A numbered schema change. Append only: never edit a migration that has shipped. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** Every migration, in order. */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005];
