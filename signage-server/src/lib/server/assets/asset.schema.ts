import type { AssetMime } from '@linli/content';

/** An asset as the server knows it: its bytes are in the AssetStore, this is the metadata row. */
export interface AssetRecord {
  sha256: string;
  size: number;
  mime: AssetMime;
  originalName: string;
  createdBy: string | null;
  createdAt: string;
}

/** Why an upload was refused. Each kind has a message in the UI languages (i18n `assets.error.<kind>`). */
export type UploadErrorKind = 'empty-file' | 'file-too-large' | 'unsupported-type';
export interface UploadError {
  kind: UploadErrorKind;
  message: string;
}

/** The result of an upload: the stored asset, or why nothing was stored. */
export type UploadResult = { ok: true; value: AssetRecord } | { ok: false; error: UploadError };

/** HTTP status for each upload refusal. */
export const UPLOAD_ERROR_STATUS: Record<UploadErrorKind, number> = {
  'empty-file': 400,
  'file-too-large': 413,
  'unsupported-type': 415,
};
