import { fileTypeFromBuffer } from 'file-type';
import { ASSET_MIME_TYPES, type AssetMime } from '@linli/content';
import type { Readable } from 'node:stream';
import type { Clock } from '../clock';
import type { AssetRepository } from './asset.repository';
import type { AssetRecord, UploadResult } from './asset.schema';
import type { AssetStore, ByteRange } from './asset-store';
import { isSha256 } from './asset-store';

/** Upload limits (from configuration). */
export interface AssetLimits {
  /** Largest image accepted, in bytes. */
  maxImageBytes: number;
}

/** Who uploads and what the file was called (kept for the CMS, never used to decide the type). */
export interface UploadMeta {
  originalName?: string;
  userId?: string | null;
}

/**
 * Uploads and reads of content-addressed assets. The type of a file is decided by its magic bytes alone: the
 * declared content type and the file name are ignored, so a renamed HTML or SVG file can never become an "image"
 * that a browser would then execute.
 */
export class AssetService {
  constructor(
    private readonly repository: AssetRepository,
    private readonly store: AssetStore,
    private readonly clock: Clock,
    readonly limits: AssetLimits,
  ) {}

  /** Checks and stores an uploaded file; on refusal nothing is stored. */
  async upload(bytes: Uint8Array, meta: UploadMeta = {}): Promise<UploadResult> {
    if (bytes.length === 0) return { ok: false, error: { kind: 'empty-file', message: 'the file is empty' } };
    if (bytes.length > this.limits.maxImageBytes) {
      return {
        ok: false,
        error: {
          kind: 'file-too-large',
          message: `the file has ${bytes.length} bytes; images may have at most ${this.limits.maxImageBytes}`,
        },
      };
    }
    const mime = await detectAssetMime(bytes);
    if (!mime) {
      return {
        ok: false,
        error: {
          kind: 'unsupported-type',
          message: `only ${ASSET_MIME_TYPES.join(', ')} images are accepted`,
        },
      };
    }
    const stored = await this.store.put(bytes);
    const record = this.repository.insert({
      sha256: stored.sha256,
      size: stored.size,
      mime,
      originalName: (meta.originalName ?? '').slice(0, 200),
      createdBy: meta.userId ?? null,
      createdAt: this.clock.now().toISOString(),
    });
    return { ok: true, value: record };
  }

  /** The metadata of an asset, or null for an unknown or malformed name. */
  get(sha256: string): AssetRecord | null {
    return isSha256(sha256) ? this.repository.get(sha256) : null;
  }

  /** The records of the hashes that exist. */
  getMany(hashes: readonly string[]): AssetRecord[] {
    return this.repository.getMany(hashes.filter(isSha256));
  }

  /** The bytes of a known asset (optionally one range), or null when it is unknown or its file is missing. */
  async open(sha256: string, range?: ByteRange): Promise<{ record: AssetRecord; stream: Readable } | null> {
    const record = this.get(sha256);
    if (!record) return null;
    const stream = await this.store.open(sha256, range);
    return stream ? { record, stream } : null;
  }
}

/** The asset type of the bytes by magic number, or null when it is not one of the allowed image types. */
export async function detectAssetMime(bytes: Uint8Array): Promise<AssetMime | null> {
  let detected: Awaited<ReturnType<typeof fileTypeFromBuffer>>;
  try {
    detected = await fileTypeFromBuffer(bytes);
  } catch {
    // file-type follows container formats (ZIP, ...) and throws on truncated ones: whatever it is, not an image
    return null;
  }
  return detected && (ASSET_MIME_TYPES as readonly string[]).includes(detected.mime)
    ? (detected.mime as AssetMime)
    : null;
}
