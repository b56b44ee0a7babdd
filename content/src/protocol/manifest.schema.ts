import { z } from 'zod';
import { ContentItem, IsoInstant, Sha256 } from '../content-item.schema';
import { parseKindPayload, payloadAssetRefs } from '../content-kind.schema';
import { TimeZoneName } from '../schedule/schedule.schema';
import { DEFAULT_TIME_ZONE } from '../time/zoned';
import { LayoutV1, PlaylistV1 } from './signage.schema';

/** MIME types an asset may have. Uploads are checked against these by magic bytes on the server. */
export const ASSET_MIME_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  // video, PDF and attachment kinds (content-kind.schema.ts)
  'video/mp4',
  'video/webm',
  'application/pdf',
] as const;
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
    /** The device's community clock, which the items' dayparts follow (older servers: Asia/Shanghai). */
    timeZone: TimeZoneName.default(DEFAULT_TIME_ZONE),
    items: z.array(ContentItem),
    assets: z.array(AssetRef),
    /** The device's signage layout (issue 4); optional, so kiosks older than layouts still parse the manifest. */
    layout: LayoutV1.optional(),
    /** The playlists the layout's zones name, with only the entries this device may see. */
    playlists: z.array(PlaylistV1).optional(),
  })
  .superRefine((manifest, ctx) => {
    const listed = new Set(manifest.assets.map((a) => a.sha256));
    const itemIds = new Set(manifest.items.map((item) => item.id));
    manifest.playlists?.forEach((playlist, i) => {
      playlist.entries.forEach((entry, j) => {
        if (entry.assetSha256 !== null && !listed.has(entry.assetSha256)) {
          ctx.addIssue({
            code: 'custom',
            message: `asset ${entry.assetSha256} is not listed in assets`,
            path: ['playlists', i, 'entries', j, 'assetSha256'],
          });
        }
        if (entry.itemId !== null && !itemIds.has(entry.itemId)) {
          ctx.addIssue({
            code: 'custom',
            message: `item ${entry.itemId} is not in items`,
            path: ['playlists', i, 'entries', j, 'itemId'],
          });
        }
      });
    });
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
      const kinded = parseKindPayload(item.kind, item.payload);
      if (!kinded.success) return;
      for (const sha256 of payloadAssetRefs(kinded.data)) {
        if (!listed.has(sha256)) {
          ctx.addIssue({
            code: 'custom',
            message: `asset ${sha256} is not listed in assets`,
            path: ['items', i, 'payload'],
          });
        }
      }
    });
  });
export type ManifestV1 = z.infer<typeof ManifestV1>;

/**
 * The manifest response body is signed as raw bytes: this header carries the base64 Ed25519 signature of the
 * exact body. The kiosk verifies the bytes it received against the key it pinned at enrolment before parsing.
 */
export const MANIFEST_SIGNATURE_HEADER = 'x-linli-signature';
