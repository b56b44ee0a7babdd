import type { Locale } from '@linli/content';
import { translate } from '$lib/i18n';
import type { MediaKind, UploadResult } from '$lib/server/assets/asset.schema';
import type { AssetService } from '$lib/server/assets/asset.service';
import { formatBytes } from './format';

/** One file's outcome as the upload form shows it. */
export interface UploadOutcome {
  name: string;
  status: 'added' | 'duplicate' | 'refused';
  sha256: string | null;
  message: string;
}

/** The editor-facing message of an upload result, in the editor's language. */
export function describeUpload(
  name: string,
  result: UploadResult,
  assets: AssetService,
  locale: Locale,
  accept: readonly MediaKind[] = ['image', 'video', 'pdf'],
): UploadOutcome {
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
  if (result.ok) {
    const status = result.duplicate ? 'duplicate' : 'added';
    return { name, status, sha256: result.value.sha256, message: t(`media.upload.${status}`) };
  }
  const { kind, mediaKind } = result.error;
  let message: string;
  if (kind === 'file-too-large') {
    message = mediaKind
      ? t('media.error.file-too-large', {
          kind: t(`media.kind.${mediaKind}`),
          max: formatBytes(assets.limitOf(mediaKind)),
        })
      : t('media.error.file-too-large.any', {
          max: formatBytes(Math.max(...accept.map((k) => assets.limitOf(k)))),
        });
  } else {
    message = t(`media.error.${kind}`);
  }
  return { name, status: 'refused', sha256: null, message };
}
