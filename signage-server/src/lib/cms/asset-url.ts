/** Where the CMS shows an asset (session-authenticated; devices use /api/v1/assets/<sha256>). */
export function cmsAssetUrl(sha256: string): string {
  return `/cms/assets/${sha256}`;
}
