import { z } from 'zod';
import { Sha256 } from '../content-item.schema';

/**
 * Asset bundles: many small assets in one answer. A kiosk's cold sync of a pack of hundreds of small images paid a
 * round trip and a request's server-side setup per image; a bundle pays them once, and the server opens the next
 * file while the last one is still being sent. Large assets keep their own GET, which resumes with Range.
 *
 * The answer (`application/vnd.linli.asset-bundle`) is a sequence of frames, one per asset the server holds, in the
 * order asked: a header line `<sha256> <size>\n` (ASCII), then exactly `size` bytes. Assets the server does not
 * hold are left out (the kiosk fetches those one by one and gets their 404). Frames describe themselves, so a
 * receiver checks each against what it asked for and hashes its bytes like any other download.
 */

/** Most assets one bundle may ask for. */
export const ASSET_BUNDLE_MAX_ASSETS = 256;

/** The media type of a bundle answer. */
export const ASSET_BUNDLE_MEDIA_TYPE = 'application/vnd.linli.asset-bundle';

/** The longest frame header: 64 hex digits, a space, up to 16 digits of size, the newline. */
export const ASSET_BUNDLE_HEADER_MAX_BYTES = 64 + 1 + 16 + 1;

/** `POST /assets/bundle`: the assets wanted, each at most once. */
export const AssetBundleRequestV1 = z
  .object({
    sha256: z
      .array(Sha256)
      .min(1)
      .max(ASSET_BUNDLE_MAX_ASSETS)
      .refine((list) => new Set(list).size === list.length, 'each asset may be asked for once'),
  })
  .strict();
export type AssetBundleRequestV1 = z.infer<typeof AssetBundleRequestV1>;

/** The header line that starts an asset's frame. */
export function assetBundleFrameHeader(sha256: string, size: number): string {
  return `${sha256} ${size}\n`;
}

const FRAME_HEADER = /^([0-9a-f]{64}) (0|[1-9][0-9]{0,15})$/;

/** A frame header line without its newline, or null when it is not one. */
export function parseAssetBundleFrameHeader(line: string): { sha256: string; size: number } | null {
  const match = FRAME_HEADER.exec(line);
  if (!match) return null;
  const size = Number(match[2]);
  return Number.isSafeInteger(size) ? { sha256: match[1]!, size } : null;
}
