import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ManualClock } from '../clock';
import { migrate, openDatabase, type Db } from '../db/database';
import { loadKeys, type ServerKeys } from '../keys';
import { createSignageServices } from '../signage.services';

/** One PNG chunk: length, type, data, CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of truecolour rows (each a filter byte and width × 3 bytes), deflated at `level`. */
function pngOf(width: number, height: number, row: (y: number) => Buffer, level?: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = Buffer.concat(
    Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.from([0]), row(y)])),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(rows, level === undefined ? {} : { level })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A solid-colour PNG of the given size: real, decodable bytes (browsers show it), different per colour. */
export function makePng(width = 2, height = 2, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const row = Buffer.from(Array.from({ length: width }, () => rgb).flat());
  return pngOf(width, height, () => row);
}

/** A PNG of random pixels, stored without compression: as large as a photograph of its size, never the same twice. */
export function makeNoisePng(width: number, height: number): Buffer {
  return pngOf(width, height, () => crypto.randomBytes(width * 3), 0);
}

/** A temporary data directory with a migrated database, removed by `cleanup`. */
export interface TestEnvironment {
  dataDir: string;
  db: Db;
  keys: ServerKeys;
  clock: ManualClock;
  cleanup(): void;
}

/** Opens a fresh database in a temp dir, migrated to the latest schema, with a manual clock. */
export function createTestEnvironment(): TestEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-signage-'));
  const db = openDatabase(path.join(dataDir, 'linli.db'));
  migrate(db);
  const keys = loadKeys(dataDir);
  const clock = new ManualClock(new Date('2026-11-25T02:00:00.000Z'));
  return {
    dataDir,
    db,
    keys,
    clock,
    cleanup() {
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The signage services over a fresh test environment. */
export function createTestSignage(options: { maxImageBytes?: number } = {}) {
  const env = createTestEnvironment();
  const services = createSignageServices({
    config: { dataDir: env.dataDir, maxImageBytes: options.maxImageBytes ?? 10 * 1024 * 1024 },
    clock: env.clock,
    db: env.db,
    keys: env.keys,
  });
  return {
    ...env,
    ...services,
    cleanup() {
      services.manifests.close();
      services.deviceEvents.closeAll();
      env.cleanup();
    },
  };
}

/** Every file under a directory (relative paths), for "nothing was stored" assertions. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
