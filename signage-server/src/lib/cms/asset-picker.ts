/** The kinds of file the media library holds. */
export type PickerKind = 'image' | 'video' | 'pdf';

/** One media-library asset as the content editor's picker shows it (`GET /cms/media/picker`). */
export interface PickerEntry {
  sha256: string;
  name: string;
  altText: string;
  kind: PickerKind;
  size: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  hasPreview: boolean;
}

/** The library kind of a stored MIME type (the library stores only images, videos and PDFs). */
export function kindOfMime(mime: string): PickerKind {
  return mime.startsWith('image/') ? 'image' : mime.startsWith('video/') ? 'video' : 'pdf';
}

/** The picker's list URL for a kind (or every kind) and a search text. */
export function pickerUrl(kind: PickerKind | null, q: string): string {
  const params = new URLSearchParams();
  if (kind) params.set('kind', kind);
  if (q.trim()) params.set('q', q.trim());
  const query = params.toString();
  return `/cms/media/picker${query ? `?${query}` : ''}`;
}

/** A content field's value: 64 hex digits naming an asset. */
export const isAssetSha = (value: string) => /^[0-9a-f]{64}$/i.test(value.trim());
