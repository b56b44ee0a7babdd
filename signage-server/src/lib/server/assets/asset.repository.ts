import type { AssetMime } from '@linli/content';
import type { Db } from '../db/database';
import type { AssetRecord } from './asset.schema';

interface AssetRow {
  sha256: string;
  size: number;
  mime: string;
  original_name: string;
  created_by: string | null;
  created_at: string;
}

const toRecord = (row: AssetRow): AssetRecord => ({
  sha256: row.sha256,
  size: row.size,
  mime: row.mime as AssetMime,
  originalName: row.original_name,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** SQL for the `assets` table (metadata of content-addressed bytes). */
export class AssetRepository {
  private readonly selectOne;
  private readonly insertOne;

  constructor(private readonly db: Db) {
    this.selectOne = db.prepare<[string], AssetRow>('SELECT * FROM assets WHERE sha256 = ?');
    // The first upload of equal bytes keeps its name and uploader; later ones are the same asset.
    this.insertOne = db.prepare(
      `INSERT INTO assets (sha256, size, mime, original_name, created_by, created_at)
       VALUES (@sha256, @size, @mime, @originalName, @createdBy, @createdAt)
       ON CONFLICT (sha256) DO NOTHING`,
    );
  }

  get(sha256: string): AssetRecord | null {
    const row = this.selectOne.get(sha256);
    return row ? toRecord(row) : null;
  }

  /** The records of these hashes that exist (order not kept). */
  getMany(hashes: readonly string[]): AssetRecord[] {
    if (hashes.length === 0) return [];
    const rows = this.db
      .prepare<string[], AssetRow>(
        `SELECT * FROM assets WHERE sha256 IN (${hashes.map(() => '?').join(',')})`,
      )
      .all(...hashes);
    return rows.map(toRecord);
  }

  insert(record: AssetRecord): AssetRecord {
    this.insertOne.run(record);
    return this.get(record.sha256) ?? record;
  }
}
