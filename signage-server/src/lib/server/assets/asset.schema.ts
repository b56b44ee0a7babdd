import { z } from 'zod';

/** What the media library holds, by kind; each kind has its own size limit and its own processing. */
export const MEDIA_KINDS = ['image', 'video', 'pdf'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * Every type an asset may have, decided by magic bytes, with its kind. SVG is absent on purpose: it is a document
 * that can carry script and external references, so an "image" upload would become stored XSS on every page
 * that opens it. Editors export SVG artwork to PNG or WebP instead.
 */
export const MEDIA_MIME_KINDS = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'video/mp4': 'video',
  'video/webm': 'video',
  'application/pdf': 'pdf',
} as const satisfies Record<string, MediaKind>;
export type MediaMime = keyof typeof MEDIA_MIME_KINDS;

export const isMediaMime = (value: string): value is MediaMime => Object.hasOwn(MEDIA_MIME_KINDS, value);
export const kindOf = (mime: MediaMime): MediaKind => MEDIA_MIME_KINDS[mime];

/** An asset as the server knows it: its bytes are in the AssetStore, this is the metadata row. */
export interface AssetRecord {
  sha256: string;
  size: number;
  mime: MediaMime;
  /** Display name: the uploaded file's name until an editor renames it. */
  originalName: string;
  createdBy: string | null;
  createdAt: string;
  /** Pixel size of an image or video; null for a PDF and for assets uploaded before the media library. */
  width: number | null;
  height: number | null;
  /** Video duration. */
  durationMs: number | null;
  /** Video codec as ffprobe names it (h264, vp9, av1…). */
  codec: string | null;
  /** The thumbnail (image, PDF first page) or poster frame (video) in the preview store, WebP. */
  previewSha256: string | null;
  altText: string;
  updatedAt: string | null;
}

/** A library row: the record, who uploaded it (display name) and how many content items use it. */
export interface LibraryEntry extends AssetRecord {
  uploaderName: string | null;
  usageCount: number;
}

/** Something that uses an asset, so deleting it would break what a screen shows. */
export interface AssetUser {
  kind: 'content' | 'playlist';
  id: string;
  /** The content item's locale; null for a playlist. */
  locale: string | null;
  title: string;
  status: string | null;
}

/** The library's filter, from the query string. */
export const LibraryFilter = z.object({
  kind: z.enum(MEDIA_KINDS).optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((q) => q || undefined)
    .catch(undefined),
});
export type LibraryFilter = { kind?: MediaKind | undefined; q?: string | undefined };

/** What an editor may change about an asset: its bytes never change (they are its name). */
export const AssetEdit = z.object({
  name: z.string().trim().min(1).max(200),
  altText: z.string().trim().max(500),
});
export type AssetEdit = z.infer<typeof AssetEdit>;

/** Why an upload was refused. Each kind has a message in the UI languages (i18n `assets.error.<kind>`). */
export type UploadErrorKind = 'empty-file' | 'file-too-large' | 'unsupported-type' | 'processing-failed';
export interface UploadError {
  kind: UploadErrorKind;
  message: string;
  /** The detected kind, when the refusal is about it (the size limit that applied). */
  mediaKind?: MediaKind;
}

/** The result of an upload: the asset (`duplicate` when those bytes were already in the library), or why not. */
export type UploadResult =
  { ok: true; value: AssetRecord; duplicate: boolean } | { ok: false; error: UploadError };

/** HTTP status for each upload refusal. */
export const UPLOAD_ERROR_STATUS: Record<UploadErrorKind, number> = {
  'empty-file': 400,
  'file-too-large': 413,
  'unsupported-type': 415,
  'processing-failed': 422,
};

/** The result of a delete: refused while anything uses the asset (with the users, so the editor can fix that). */
export type DeleteResult =
  { ok: true } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'in-use'; users: AssetUser[] };
