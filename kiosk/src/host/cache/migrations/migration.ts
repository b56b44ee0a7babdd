/** One numbered schema change of the kiosk cache. */
export interface Migration {
  version: number;
  name: string;
  /** SQL run inside the migration's transaction. */
  up: string;
}
