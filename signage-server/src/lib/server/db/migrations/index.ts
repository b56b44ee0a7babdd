import { m0001 } from './0001-initial';

/** A numbered schema change. Append only: never edit a migration that has shipped. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** Every migration, in order. */
export const migrations: readonly Migration[] = [m0001];
