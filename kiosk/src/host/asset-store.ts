import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../shared/result';

const SHA256 = /^[0-9a-f]{64}$/;

/** Why writing an asset failed. */
export type AssetWriteErrorKind = 'asset-hash-mismatch' | 'asset-size-mismatch' | 'asset-download-failed';

/**
 * Asset files on disk, named by the sha256 of their bytes: `<dir>/<sha256>`. A file only gets its final name
 * after its bytes were hashed and matched, so a name always tells the truth about its content.
 */
export class AssetStore {
  private readonly partialDir: string;

  constructor(readonly dir: string) {
    this.partialDir = join(dir, '.partial');
  }

  async init(): Promise<void> {
    await mkdir(this.partialDir, { recursive: true });
    // Leftovers of downloads a crash interrupted: never trusted, always restarted.
    for (const name of await readdir(this.partialDir)) await rm(join(this.partialDir, name), { force: true });
  }

  /** Path of an asset's file. Only called with validated hashes, so it cannot escape the folder. */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, sha256);
  }

  /** True when the file exists with the expected size (cheap; the full hash check is `verify`). */
  async isPresent(sha256: string, size: number): Promise<boolean> {
    try {
      const info = await stat(this.pathOf(sha256));
      return info.isFile() && info.size === size;
    } catch {
      return false;
    }
  }

  /** Hashes the file on disk and compares: catches a file damaged after it was written. */
  async verify(sha256: string): Promise<boolean> {
    try {
      return (await hashFile(this.pathOf(sha256))) === sha256;
    } catch {
      return false;
    }
  }

  /**
   * Writes a downloaded body: streamed to a temporary file while hashing, checked against the expected hash and
   * size, flushed to disk, then renamed into place (rename is atomic on one file system).
   */
  async write(
    sha256: string,
    expectedSize: number,
    body: AsyncIterable<Uint8Array>,
  ): Promise<Result<void, AssetWriteErrorKind>> {
    const temp = join(this.partialDir, `${sha256}.${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(temp, 'w', 0o644);
    try {
      for await (const chunk of body) {
        size += chunk.byteLength;
        // Stop reading a body that is already longer than promised instead of filling the disk.
        if (size > expectedSize) {
          await file.close();
          await rm(temp, { force: true });
          return fail(
            'asset-size-mismatch',
            `asset ${sha256} is larger than the ${expectedSize} bytes listed`,
          );
        }
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
      await file.close();
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temp, { force: true });
      return fail(
        'asset-download-failed',
        `asset ${sha256}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      await rm(temp, { force: true });
      return fail('asset-hash-mismatch', `asset ${sha256} arrived with bytes hashing to ${actual}`);
    }
    if (size !== expectedSize) {
      await rm(temp, { force: true });
      return fail(
        'asset-size-mismatch',
        `asset ${sha256} has ${size} bytes, the manifest lists ${expectedSize}`,
      );
    }
    await rename(temp, this.pathOf(sha256));
    return ok(undefined);
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Hashes of the asset files in the folder. */
  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => SHA256.test(name));
  }
}

/** The sha256 of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
