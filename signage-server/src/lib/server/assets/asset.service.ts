import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { ASSET_MIME_TYPES, type AssetMime } from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { AssetRepository } from './asset.repository';
import {
  isMediaMime,
  kindOf,
  MEDIA_KINDS,
  MEDIA_MIME_KINDS,
  type AssetEdit,
  type AssetRecord,
  type AssetUser,
  type DeleteResult,
  type LibraryEntry,
  type LibraryFilter,
  type MediaKind,
  type MediaMime,
  type UploadError,
  type UploadResult,
} from './asset.schema';
import type { AssetReader, AssetStore, ByteRange } from './asset-store';
import { isSha256 } from './asset-store';
import { MediaProcessingError, type MediaInfo, type MediaProcessor } from './media-processor';

/** Upload limits per kind, in bytes (from configuration). */
export interface AssetLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
  maxPdfBytes: number;
}

export const DEFAULT_VIDEO_BYTES = 500 * 1024 * 1024;
export const DEFAULT_PDF_BYTES = 50 * 1024 * 1024;

/** Who uploads and what the file was called (kept for the CMS, never used to decide the type). */
export interface UploadMeta {
  originalName?: string;
  userId?: string | null;
  /** The kinds this upload may be (the item editor's image field: images only). Default: every kind. */
  accept?: readonly MediaKind[];
}

/** The parts of the media library that are not the asset rows and bytes themselves. */
export interface MediaDependencies {
  /** Where thumbnails and posters live: apart from the assets, so kiosks never sync them. */
  previews: AssetStore;
  processor: MediaProcessor;
  audit: Pick<AuditService, 'record'>;
}

/** Enough of the start of a file for every magic number we accept (file-type reads at most this much). */
const HEAD_BYTES = 4100;

const refusal = (kind: UploadError['kind'], message: string, mediaKind?: MediaKind): UploadResult => ({
  ok: false,
  error: { kind, message, ...(mediaKind ? { mediaKind } : {}) },
});

/**
 * Uploads, reads and the media library of content-addressed assets. The type of a file is decided by its magic
 * bytes alone: the declared content type and the file name are ignored, so a renamed HTML, SVG or .exe file can
 * never become an "image" that a browser would then execute. An upload is streamed to a temporary file while it
 * is hashed and checked against its kind's size limit, processed (size, duration, preview), and only then moved
 * into the store and recorded: a refused or failed upload leaves nothing behind.
 */
export class AssetService {
  constructor(
    private readonly repository: AssetRepository,
    private readonly store: AssetStore,
    private readonly clock: Clock,
    readonly limits: AssetLimits,
    private readonly media: MediaDependencies,
  ) {}

  /** The size limit of a kind. */
  limitOf(kind: MediaKind): number {
    return {
      image: this.limits.maxImageBytes,
      video: this.limits.maxVideoBytes,
      pdf: this.limits.maxPdfBytes,
    }[kind];
  }

  /** Checks and stores an uploaded image held in memory (pack import, the item form); see `ingest`. */
  async upload(bytes: Uint8Array, meta: UploadMeta = {}): Promise<UploadResult> {
    return this.ingest(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
      accept: ['image'],
      ...meta,
    });
  }

  /**
   * Checks, processes and stores a streamed upload. Reading stops (the iterator's `return` is called) as soon as
   * the type is refused or the size limit of the detected kind is passed; what happens to the rest of the source
   * is its owner's choice (a multipart parser drains it, a request body is cancelled).
   */
  async ingest(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    meta: UploadMeta = {},
  ): Promise<UploadResult> {
    const accept = meta.accept ?? MEDIA_KINDS;
    const outerLimit = Math.max(...accept.map((kind) => this.limitOf(kind)));
    const temp = await this.store.tempFile();
    let keepTemp = false;
    try {
      const received = await this.receive(source, temp, accept, outerLimit);
      if (!received.ok) return received.result;
      const { sha256, size, mime } = received;
      const kind = kindOf(mime);

      const existing = this.repository.get(sha256);
      if (existing) return { ok: true, value: existing, duplicate: true };

      let info: MediaInfo;
      try {
        info = await this.media.processor.inspect(temp, kind);
      } catch (error) {
        if (error instanceof MediaProcessingError) return refusal('processing-failed', error.message, kind);
        throw error;
      }

      const preview = info.preview ? await this.media.previews.put(info.preview) : null;
      const now = this.clock.now().toISOString();
      const record: AssetRecord = {
        sha256,
        size,
        mime,
        originalName: (meta.originalName ?? '').slice(0, 200),
        createdBy: meta.userId ?? null,
        createdAt: now,
        width: info.width,
        height: info.height,
        durationMs: info.durationMs,
        codec: info.codec,
        previewSha256: preview?.sha256 ?? null,
        altText: '',
        updatedAt: null,
      };
      // bytes first, row second: a crash in between leaves an unreferenced file (harmless, same name next time),
      // never a row whose bytes are missing
      keepTemp = true;
      try {
        await this.store.adopt(temp, { sha256, size });
      } catch (error) {
        if (preview) await this.removePreviewIfUnused(preview.sha256);
        throw error;
      }
      if (!this.repository.insert(record)) {
        // the same bytes arrived concurrently and the other upload recorded them first
        const winner = this.repository.get(sha256);
        if (preview && winner?.previewSha256 !== preview.sha256)
          await this.removePreviewIfUnused(preview.sha256);
        if (winner) return { ok: true, value: winner, duplicate: true };
      }
      return { ok: true, value: this.repository.get(sha256) ?? record, duplicate: false };
    } finally {
      if (!keepTemp) await fsp.rm(temp, { force: true });
    }
  }

  /** Streams the source into `temp` while hashing, detecting the type from the head and enforcing the limit. */
  private async receive(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    temp: string,
    accept: readonly MediaKind[],
    outerLimit: number,
  ): Promise<
    { ok: true; sha256: string; size: number; mime: MediaMime } | { ok: false; result: UploadResult }
  > {
    const hash = crypto.createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let mime: MediaMime | null = null;
    const file = await fsp.open(temp, 'wx', 0o644);
    const check = async (): Promise<UploadResult | null> => {
      const detected = await detectMediaMime(Buffer.concat(head, headLength));
      if (!detected || !accept.includes(kindOf(detected))) return this.unsupported(accept);
      mime = detected;
      return null;
    };
    const tooLarge = (kind: MediaKind | null, limit: number) =>
      refusal(
        'file-too-large',
        `the file has more than ${limit} bytes, the limit${kind ? ` for ${kind} files` : ''}`,
        kind ?? undefined,
      );
    try {
      for await (const chunk of source) {
        if (chunk.length === 0) continue;
        size += chunk.length;
        if (!mime) {
          head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          headLength += chunk.length;
          if (headLength >= HEAD_BYTES) {
            const refused = await check();
            if (refused) return { ok: false, result: refused };
          }
        }
        const limit = mime ? this.limitOf(kindOf(mime)) : outerLimit;
        if (size > limit) return { ok: false, result: tooLarge(mime ? kindOf(mime) : null, limit) };
        hash.update(chunk);
        await file.write(chunk);
      }
    } finally {
      await file.close();
    }
    if (size === 0) return { ok: false, result: refusal('empty-file', 'the file is empty') };
    if (!mime) {
      const refused = await check();
      if (refused) return { ok: false, result: refused };
    }
    const detected = mime as MediaMime | null;
    if (!detected) return { ok: false, result: this.unsupported(accept) };
    const limit = this.limitOf(kindOf(detected));
    if (size > limit) return { ok: false, result: tooLarge(kindOf(detected), limit) };
    return { ok: true, sha256: hash.digest('hex'), size, mime: detected };
  }

  private unsupported(accept: readonly MediaKind[]): UploadResult {
    const allowed = Object.entries(MEDIA_MIME_KINDS)
      .filter(([, kind]) => accept.includes(kind))
      .map(([mime]) => mime);
    return refusal('unsupported-type', `only ${allowed.join(', ')} files are accepted`);
  }

  /** The metadata of an asset, or null for an unknown or malformed name. */
  get(sha256: string): AssetRecord | null {
    return isSha256(sha256) ? this.repository.get(sha256) : null;
  }

  /**
   * The records of the hashes that exist and that kiosks can show (the manifest's asset types): a library file
   * of another type is never offered to a device.
   */
  getMany(hashes: readonly string[]): (AssetRecord & { mime: AssetMime })[] {
    return this.repository
      .getMany(hashes.filter(isSha256))
      .filter((record): record is AssetRecord & { mime: AssetMime } =>
        (ASSET_MIME_TYPES as readonly string[]).includes(record.mime),
      );
  }

  /** The bytes of a known asset (optionally one range), or null when it is unknown or its file is missing. */
  async open(sha256: string, range?: ByteRange): Promise<{ record: AssetRecord; stream: Readable } | null> {
    const record = this.get(sha256);
    if (!record) return null;
    const stream = await this.store.open(sha256, range);
    return stream ? { record, stream } : null;
  }

  /**
   * `open` for a caller that reads into its own buffers and has already looked the record up (the asset fast
   * path, after `planAssetAnswer`): the range is given, whole file or not, so nothing is read twice.
   */
  openReader(sha256: string, range: ByteRange): Promise<AssetReader | null> {
    return this.store.openReader(sha256, range);
  }

  /** The preview (WebP) of an asset, by the asset's hash. */
  async openPreview(sha256: string): Promise<{ previewSha256: string; stream: Readable } | null> {
    const previewSha256 = this.get(sha256)?.previewSha256;
    if (!previewSha256) return null;
    const stream = await this.media.previews.open(previewSha256);
    return stream ? { previewSha256, stream } : null;
  }

  /** The library (newest first), filtered by kind and name. */
  library(filter: LibraryFilter): LibraryEntry[] {
    return this.repository.list(filter);
  }

  /** One library entry with everything that uses it, or null. */
  detail(sha256: string): { entry: LibraryEntry; users: AssetUser[] } | null {
    const record = this.get(sha256);
    if (!record) return null;
    const users = this.repository.usage(sha256);
    const uploaderName = record.createdBy ? this.repository.userName(record.createdBy) : null;
    return { entry: { ...record, uploaderName, usageCount: users.length }, users };
  }

  /** Who uses an asset (content items, playlists). */
  usage(sha256: string): AssetUser[] {
    return isSha256(sha256) ? this.repository.usage(sha256) : [];
  }

  /** Renames an asset or changes its alt text (audited); false when it does not exist. */
  edit(sha256: string, changes: AssetEdit, actor: { id: string; username: string }): boolean {
    if (!isSha256(sha256)) return false;
    return this.repository.transaction(() => {
      const before = this.repository.get(sha256);
      if (!before) return false;
      this.repository.update(sha256, { ...changes, updatedAt: this.clock.now().toISOString() });
      this.media.audit.record({
        actor,
        action: 'asset.edit',
        target: sha256,
        detail: { name: changes.name, altText: changes.altText, previousName: before.originalName },
      });
      return true;
    });
  }

  /**
   * Deletes an asset nobody uses. The row goes first (with the audit entry, in one transaction, rechecking the
   * usage inside it so a concurrent save cannot slip in), the files after: a crash in between leaves an
   * unreferenced file, never a row without bytes.
   */
  async delete(sha256: string, actor: { id: string; username: string }): Promise<DeleteResult> {
    if (!isSha256(sha256)) return { ok: false, reason: 'not-found' };
    const outcome = this.repository.transaction((): DeleteResult & { record?: AssetRecord } => {
      const record = this.repository.get(sha256);
      if (!record) return { ok: false, reason: 'not-found' };
      const users = this.repository.usage(sha256);
      if (users.length > 0) return { ok: false, reason: 'in-use', users };
      this.repository.delete(sha256);
      this.media.audit.record({
        actor,
        action: 'asset.delete',
        target: sha256,
        detail: { name: record.originalName, mime: record.mime, size: record.size },
      });
      return { ok: true, record };
    });
    if (!outcome.ok) return outcome;
    await this.store.delete(sha256);
    if (outcome.record?.previewSha256) await this.removePreviewIfUnused(outcome.record.previewSha256);
    return { ok: true };
  }

  private async removePreviewIfUnused(previewSha256: string): Promise<void> {
    if (!this.repository.previewInUse(previewSha256)) await this.media.previews.delete(previewSha256);
  }
}

/** The media type of the bytes by magic number (the start of a file suffices), or null when not allowed. */
export async function detectMediaMime(head: Uint8Array): Promise<MediaMime | null> {
  let detected: Awaited<ReturnType<typeof fileTypeFromBuffer>>;
  try {
    detected = await fileTypeFromBuffer(head);
  } catch {
    // file-type follows container formats (ZIP, ...) and throws on truncated ones: whatever it is, refused
    return null;
  }
  return detected && isMediaMime(detected.mime) ? detected.mime : null;
}
