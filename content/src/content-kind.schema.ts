import { z } from 'zod';

/** Lower-case hex sha256 (the same rule as content-item.schema's Sha256; repeated to avoid an import cycle). */
const AssetSha = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256');

/**
 * What an item is: the kinds of issue 4. `notice` is the rich Markdown notice every item was before kinds
 * existed, so items, packs and manifests without a kind stay valid.
 */
export const CONTENT_KINDS = [
  'notice',
  'image',
  'video',
  'pdf',
  'ticker',
  'qr',
  'place',
  'provider',
] as const;
export const ContentKind = z.enum(CONTENT_KINDS);
export type ContentKind = z.infer<typeof ContentKind>;

/** The kind every item has unless it says otherwise. */
export const DEFAULT_CONTENT_KIND: ContentKind = 'notice';

/** A file attached to a notice (a form, a timetable), named by its sha256. */
export const Attachment = z.object({
  sha256: AssetSha,
  name: z.string().trim().min(1).max(200),
});
export type Attachment = z.infer<typeof Attachment>;

/**
 * An absolute http(s) URL. Anything else (javascript:, data:, relative paths, credentials in the URL) is refused,
 * because a QR code or link is followed by a resident's phone without a second look.
 */
export const HttpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    if (!/^https?:\/\//i.test(value) || /[\s<>"'`\\]/.test(value)) return false;
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'content.error.httpUrl');

/**
 * A phone number as printed in China: digits with optional +, spaces, dashes and one extension part, 3 to 20
 * digits in all (110, 12348, 010-6123-4567, +86 138 0013 8000).
 */
export const PhoneNumber = z
  .string()
  .trim()
  .max(30)
  .refine((value) => {
    if (
      !/^\+?[0-9][0-9 -]*[0-9](?:\s*(?:转|ext\.?)\s*[0-9]{1,6})?$/iu.test(value) &&
      !/^[0-9]{3}$/.test(value)
    )
      return false;
    const digits = value.replace(/[^0-9]/g, '').length;
    return digits >= 3 && digits <= 20;
  }, 'content.error.phone');

/** A short single line of text (no line breaks). */
const Line = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), 'content.error.singleLine');

export const NoticePayload = z.strictObject({ attachments: z.array(Attachment).max(10).default([]) });
export const ImagePayload = z.strictObject({
  image: AssetSha,
  alt: Line(300).default(''),
  caption: Line(300).default(''),
});
export const VideoPayload = z.strictObject({
  video: AssetSha,
  /** Shown before the video plays and while it loads. */
  poster: AssetSha.nullable().default(null),
  caption: Line(300).default(''),
});
export const PdfPayload = z.strictObject({ pdf: AssetSha, caption: Line(300).default('') });
export const TickerPayload = z.strictObject({
  lines: z
    .array(Line(200).pipe(z.string().min(1)))
    .min(1)
    .max(20),
});
export const QrPayload = z.strictObject({ url: HttpUrl, label: Line(100).default('') });

/** Kinds of community-guide place (§6.2.1-5 社区引导: nearby dining, shops, clinics, …). */
export const PLACE_KINDS = ['dining', 'shop', 'market', 'clinic', 'pharmacy', 'service', 'other'] as const;
export const PlaceKind = z.enum(PLACE_KINDS);
export type PlaceKind = z.infer<typeof PlaceKind>;

export const PlacePayload = z.strictObject({
  name: Line(100).pipe(z.string().min(1)),
  placeKind: PlaceKind,
  hours: Line(200).default(''),
  phone: z.union([z.literal(''), PhoneNumber]).default(''),
  address: Line(200).default(''),
  map: AssetSha.nullable().default(null),
});

/** Residents' ratings of a provider, filled in by the server from stored ratings; editors never type them. */
export const RatingSummary = z.strictObject({
  average: z.number().min(1).max(5),
  count: z.number().int().positive(),
});
export type RatingSummary = z.infer<typeof RatingSummary>;

/** A service-provider card (§6.2.1-6 监督公开): who serves the community, how to reach them, and residents' ratings. */
export const ProviderPayload = z.strictObject({
  provider: Line(100).pipe(z.string().min(1)),
  service: Line(200).pipe(z.string().min(1)),
  contact: PhoneNumber,
  licence: Line(60).default(''),
  rating: RatingSummary.nullable().default(null),
});

/** The payload schema of each kind. */
export const KIND_PAYLOADS = {
  notice: NoticePayload,
  image: ImagePayload,
  video: VideoPayload,
  pdf: PdfPayload,
  ticker: TickerPayload,
  qr: QrPayload,
  place: PlacePayload,
  provider: ProviderPayload,
} as const satisfies Record<ContentKind, z.ZodType>;

export type NoticePayload = z.infer<typeof NoticePayload>;
export type ImagePayload = z.infer<typeof ImagePayload>;
export type VideoPayload = z.infer<typeof VideoPayload>;
export type PdfPayload = z.infer<typeof PdfPayload>;
export type TickerPayload = z.infer<typeof TickerPayload>;
export type QrPayload = z.infer<typeof QrPayload>;
export type PlacePayload = z.infer<typeof PlacePayload>;
export type ProviderPayload = z.infer<typeof ProviderPayload>;

/** A kind with its parsed payload: switch on `kind` and the payload has its type. */
export const KindPayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('notice'), payload: NoticePayload }),
  z.object({ kind: z.literal('image'), payload: ImagePayload }),
  z.object({ kind: z.literal('video'), payload: VideoPayload }),
  z.object({ kind: z.literal('pdf'), payload: PdfPayload }),
  z.object({ kind: z.literal('ticker'), payload: TickerPayload }),
  z.object({ kind: z.literal('qr'), payload: QrPayload }),
  z.object({ kind: z.literal('place'), payload: PlacePayload }),
  z.object({ kind: z.literal('provider'), payload: ProviderPayload }),
]);
export type KindPayload = z.infer<typeof KindPayload>;

/** A payload as stored and sent: the JSON object that the kind's schema accepts. */
export const RawPayload = z.record(z.string(), z.unknown());
export type RawPayload = z.infer<typeof RawPayload>;

/** Parses a stored or submitted payload against its kind's schema. */
export function parseKindPayload(
  kind: ContentKind,
  payload: unknown,
): { success: true; data: KindPayload } | { success: false; error: z.ZodError } {
  const parsed = KindPayload.safeParse({ kind, payload });
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}

/** Every asset a payload names, so manifests list them and kiosks download them. */
export function payloadAssetRefs(value: KindPayload): string[] {
  switch (value.kind) {
    case 'notice':
      return value.payload.attachments.map((attachment) => attachment.sha256);
    case 'image':
      return [value.payload.image];
    case 'video':
      return value.payload.poster ? [value.payload.video, value.payload.poster] : [value.payload.video];
    case 'pdf':
      return [value.payload.pdf];
    case 'place':
      return value.payload.map ? [value.payload.map] : [];
    case 'ticker':
    case 'qr':
    case 'provider':
      return [];
  }
}

/** Rating scores residents can give: 1 (poor) to 5 (excellent). */
export const RatingScore = z.number().int().min(1).max(5);
