import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../shared/result';

const SHA256 = /^[0-9a-f]{64}$/;
const PART_FILE = /^[0-9a-f]{64}\.part$/;
/** Bytes gathered before one write to the part file. */
const WRITE_BATCH_BYTES = 1024 * 1024;

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
    // `<sha256>.part` files are interrupted downloads, kept so a large file resumes where it stopped (their bytes
    // are never trusted: the whole file is hashed once complete). Anything else there is debris: removed.
    for (const name of await readdir(this.partialDir)) {
      if (!PART_FILE.test(name)) await rm(join(this.partialDir, name), { force: true });
    }
  }

  /** Path of an asset's resumable partial download. */
  private partOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.partialDir, `${sha256}.part`);
  }

  /**
   * How many bytes of an interrupted download of this asset are kept (0 when none). A part that is not shorter
   * than the asset cannot be a prefix of it and is dropped.
   */
  async partialSize(sha256: string, expectedSize: number): Promise<number> {
    try {
      const info = await stat(this.partOf(sha256));
      if (info.isFile() && info.size < expectedSize) return info.size;
    } catch {
      return 0;
    }
    await this.discardPartial(sha256);
    return 0;
  }

  /** Hashes of the assets with a kept part file (an interrupted download). */
  async listPartials(): Promise<Set<string>> {
    const names = await readdir(this.partialDir).catch(() => [] as string[]);
    return new Set(names.filter((name) => PART_FILE.test(name)).map((name) => name.slice(0, 64)));
  }

  /** Removes the part files of assets not in `keep` (downloads the manifest that wanted them no longer needs). */
  async discardPartialsExcept(keep: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(this.partialDir)) {
      if (PART_FILE.test(name) && !keep.has(name.slice(0, 64))) {
        await rm(join(this.partialDir, name), { force: true });
      }
    }
  }

  /** Forgets an interrupted download (its bytes turned out wrong, or the server would not resume it). */
  async discardPartial(sha256: string): Promise<void> {
    await rm(this.partOf(sha256), { force: true });
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
   * Writes a downloaded body: streamed to `<sha256>.part` while hashing, checked against the expected hash and
   * size, flushed to disk, then renamed into place (rename is atomic on one file system). With `resumeFrom` the
   * body is the rest of the file after that many bytes already in the part file: those bytes are hashed first,
   * so the check always covers the whole file. A body that breaks off leaves the part file for the next attempt;
   * a file with the wrong size or hash is discarded whole.
   */
  async write(
    sha256: string,
    expectedSize: number,
    body: AsyncIterable<Uint8Array>,
    resumeFrom = 0,
  ): Promise<Result<void, AssetWriteErrorKind>> {
    const part = this.partOf(sha256);
    const hash = createHash('sha256');
    let size = 0;
    if (resumeFrom > 0) {
      // the part may be longer than what the server resumes from (a write after the last answer): cut it to fit
      await truncate(part, resumeFrom);
      for await (const chunk of createReadStream(part)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
      if (size !== resumeFrom) {
        await this.discardPartial(sha256);
        return fail('asset-download-failed', `asset ${sha256}: the partial file changed while resuming`);
      }
    }
    const file = await open(part, resumeFrom > 0 ? 'a' : 'w', 0o644);
    // Network chunks are small (16–64 KB): gathered into larger writes, a download costs a few system calls per
    // MiB instead of dozens, and reading the next chunks overlaps less with waiting for the disk.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const chunks = pending;
      pending = [];
      pendingBytes = 0;
      // writev hands the kernel the chunks as they came: no copy into one buffer first
      await file.writev(chunks);
    };
    try {
      for await (const chunk of body) {
        size += chunk.byteLength;
        // Stop reading a body that is already longer than promised instead of filling the disk.
        if (size > expectedSize) {
          await file.close();
          await this.discardPartial(sha256);
          return fail(
            'asset-size-mismatch',
            `asset ${sha256} is larger than the ${expectedSize} bytes listed`,
          );
        }
        hash.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
      }
      await flush();
      await file.close();
    } catch (error) {
      // what arrived before the break is worth keeping for the resume
      await flush().catch(() => {});
      // keep what arrived: the next attempt asks only for the rest
      await file.close().catch(() => {});
      return fail(
        'asset-download-failed',
        `asset ${sha256}: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (size < expectedSize) {
      // a body that ended early without an error (a proxy closed it): the same as one that broke off
      return fail(
        'asset-download-failed',
        `asset ${sha256}: the download ended after ${size} of ${expectedSize} bytes`,
      );
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      await this.discardPartial(sha256);
      return fail('asset-hash-mismatch', `asset ${sha256} arrived with bytes hashing to ${actual}`);
    }
    // Not flushed to disk here: `sync` does it for a whole batch before the cache records the files (one flush
    // per download cost ~6 ms each, most of a cold sync). A file renamed but never recorded is removed at start.
    await rename(part, this.pathOf(sha256));
    return ok(undefined);
  }

  /**
   * Stores a small asset whose bytes are already in memory and were checked (`readChecked`): written to the part
   * file in one call, then renamed into place. A bundle's frames go this way, so the stream they come from is read
   * on while the disk works; a failure leaves no part behind (a small file is simply fetched again).
   */
  async writeChecked(
    sha256: string,
    chunks: readonly Uint8Array[],
  ): Promise<Result<void, AssetWriteErrorKind>> {
    const part = this.partOf(sha256);
    try {
      const file = await open(part, 'w', 0o644);
      try {
        await file.writev(chunks as Uint8Array[]);
      } finally {
        await file.close();
      }
      // not flushed here either: `sync` does it for the whole batch
      await rename(part, this.pathOf(sha256));
      return ok(undefined);
    } catch (error) {
      await this.discardPartial(sha256).catch(() => {});
      return fail(
        'asset-download-failed',
        `asset ${sha256}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  /** Flushes asset files to disk, a few at a time, so that they survive a power cut once recorded. */
  async sync(sha256s: readonly string[]): Promise<void> {
    const queue = [...sha256s];
    const worker = async () => {
      for (let sha = queue.shift(); sha; sha = queue.shift()) {
        const file = await open(this.pathOf(sha), 'r');
        try {
          await file.sync();
        } finally {
          await file.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Hashes of the asset files in the folder. */
  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => SHA256.test(name));
  }
}

/**
 * Reads a small asset's body into memory while hashing it, and checks its size and hash: the bytes, or why they
 * were refused. A body that breaks off throws (nothing was written, nothing is kept).
 */
export async function readChecked(
  sha256: string,
  expectedSize: number,
  body: AsyncIterable<Uint8Array>,
): Promise<Result<Uint8Array[], AssetWriteErrorKind>> {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > expectedSize) {
      return fail('asset-size-mismatch', `asset ${sha256} is larger than the ${expectedSize} bytes listed`);
    }
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (size !== expectedSize) {
    return fail('asset-size-mismatch', `asset ${sha256} has ${size} bytes, not the ${expectedSize} listed`);
  }
  const actual = hash.digest('hex');
  if (actual !== sha256)
    return fail('asset-hash-mismatch', `asset ${sha256} arrived with bytes hashing to ${actual}`);
  return ok(chunks);
}

/** The sha256 of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
