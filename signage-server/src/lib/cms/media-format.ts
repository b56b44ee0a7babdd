/** Display helpers of the media library, shared by its pages and the content editor's asset picker. */

/** 1.5 MB, 320 KB, 900 B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** 0:07, 12:30, 1:02:03. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Where the CMS shows an asset's preview (thumbnail or poster). */
export const previewUrl = (sha256: string) => `/cms/media/${sha256}/preview`;
