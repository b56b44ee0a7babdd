import { z } from 'zod';
import { ContentItem, IsoInstant, Sha256 } from '../content-item.schema';

/** MIME types an asset may have. Uploads are checked against these by magic bytes on the server. */
export const ASSET_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export const AssetMime = z.enum(ASSET_MIME_TYPES);
export type AssetMime = z.infer<typeof AssetMime>;

/** An immutable, content-addressed file: fetched from `/api/v1/assets/<sha256>` and verified by hash. */
export const AssetRef = z.object({
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  mime: AssetMime,
});
export type AssetRef = z.infer<typeof AssetRef>;

/**
 * The complete, resolved content for one device. `version` is the manifest's ETag: equal versions mean equal
 * content. Every asset an item references is listed in `assets`.
 */
export const ManifestV1 = z
  .object({
    schema: z.literal('linli.manifest.v1'),
    deviceId: z.string().min(1),
    version: z.string().min(1).max(128),
    generatedAt: IsoInstant,
    items: z.array(ContentItem),
    assets: z.array(AssetRef),
  })
  .superRefine((manifest, ctx) => {
    const listed = new Set(manifest.assets.map((a) => a.sha256));
    manifest.items.forEach((item, i) => {
      item.images.forEach((image, j) => {
        if (!listed.has(image.sha256)) {
          ctx.addIssue({
            code: 'custom',
            message: `asset ${image.sha256} is not listed in assets`,
            path: ['items', i, 'images', j, 'sha256'],
          });
        }
      });
    });
  });
export type ManifestV1 = z.infer<typeof ManifestV1>;

/**
 * The manifest response body is signed as raw bytes: this header carries the base64 Ed25519 signature of the
 * exact body. The kiosk verifies the bytes it received against the key it pinned at enrolment before parsing.
 */
export const MANIFEST_SIGNATURE_HEADER = 'x-linli-signature';
