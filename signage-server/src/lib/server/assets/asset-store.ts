import type { Readable } from 'node:stream';

/** Bytes as the store holds them: named by the lower-case hex sha256 of their content. */
export interface StoredBytes {
  sha256: string;
  size: number;
}

/** An inclusive byte range, as HTTP Range requests name them. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads one stored file (or one range of it) into buffers the caller owns, so a server that streams hundreds of
 * megabytes can reuse a few buffers instead of allocating one per read (see api/asset-fast-path.ts).
 */
export interface AssetReader {
  /** How many bytes the file (or the range) holds. */
  readonly length: number;
  /** Fills `into` from where the last read stopped; 0 at the end. */
  read(into: Buffer): Promise<number>;
  close(): Promise<void>;
}

/**
 * Where asset bytes live. The filesystem store is the embedded default; an S3-compatible store can replace it
 * (DESIGN.md scale path) because nothing outside this interface knows about paths. Metadata (mime, who uploaded)
 * is the repository's business, not the store's: the store only keeps immutable bytes by hash.
 */
export interface AssetStore {
  /** Stores bytes (idempotent: equal bytes are stored once) and returns their hash and size. */
  put(bytes: Uint8Array): Promise<StoredBytes>;
  /** True when the bytes of this hash are stored. */
  has(sha256: string): Promise<boolean>;
  /** The stored size, or null when absent. */
  size(sha256: string): Promise<number | null>;
  /** A stream of the bytes (or of one inclusive range of them), or null when absent. */
  open(sha256: string, range?: ByteRange): Promise<Readable | null>;
  /** One range of the bytes (the whole file is `0`…`size - 1`), read into the caller's buffers; null when absent. */
  openReader(sha256: string, range: ByteRange): Promise<AssetReader | null>;
  /**
   * A fresh path for a file that will become an asset, on the store's own filesystem so `adopt` is a rename.
   * Large uploads are streamed there while hashed, never held in memory.
   */
  tempFile(): Promise<string>;
  /**
   * Moves a complete local file whose bytes hash to `sha256` into the store (durably), or removes it when those
   * bytes are already stored. The caller computed the hash while writing the file.
   */
  adopt(file: string, stored: StoredBytes): Promise<void>;
  /** Removes the bytes; absent bytes are not an error. */
  delete(sha256: string): Promise<void>;
}

/** True for a well-formed asset name; stores refuse anything else so a name can never become a path. */
export function isSha256(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
