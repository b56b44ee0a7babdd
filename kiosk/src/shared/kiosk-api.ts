import { z } from 'zod';
import { CategoryId, IsoInstant, Locale, Sha256 } from '@linli/content';
import { FailureSchema } from './result';
import { defineService, type ServiceApi } from './service-definition';

/** An image of an item as the renderer shows it; its URL comes from `ContentSnapshot.assetUrlTemplate`. */
export const KioskImage = z.object({ sha256: Sha256, alt: z.string() });
export type KioskImage = z.infer<typeof KioskImage>;

/** One language version of an item, with its Markdown already rendered to HTML (images as `asset:<sha256>`). */
export const KioskItemText = z.object({
  title: z.string(),
  summary: z.string(),
  bodyHtml: z.string(),
  images: z.array(KioskImage),
});
export type KioskItemText = z.infer<typeof KioskItemText>;

/** A content item with all its translations; zh-CN is the fallback when the chosen language is missing. */
export const KioskItem = z.object({
  id: z.string(),
  category: CategoryId,
  /** The date shown to residents: the start of the validity window, else the last update. */
  date: IsoInstant,
  updatedAt: IsoInstant,
  translations: z.partialRecord(Locale, KioskItemText),
});
export type KioskItem = z.infer<typeof KioskItem>;

/** Placeholder in `assetUrlTemplate` replaced by an asset's sha256. */
export const ASSET_URL_PLACEHOLDER = '{sha256}';

/** What the renderer shows: the items valid now, from the last good manifest. */
export const ContentSnapshot = z.object({
  manifestVersion: z.string().nullable(),
  /** Newest first. */
  items: z.array(KioskItem),
  /** Absolute URL of a cached asset with `{sha256}` to fill in; carries the host's per-launch token. */
  assetUrlTemplate: z.string(),
});
export type ContentSnapshot = z.infer<typeof ContentSnapshot>;

/** How the kiosk stands with its server; the renderer shows it as a calm indicator. */
export const KioskStatus = z.object({
  enrolled: z.boolean(),
  deviceId: z.string().nullable(),
  /** True while the last exchange with the server succeeded. */
  online: z.boolean(),
  lastSyncAt: IsoInstant.nullable(),
  lastError: FailureSchema.nullable(),
  manifestVersion: z.string().nullable(),
});
export type KioskStatus = z.infer<typeof KioskStatus>;

/** The one API between the kiosk renderer and its host (DESIGN.md §Runtime), in both shells. */
export const kioskApiDefinition = defineService({
  name: 'linli.kiosk',
  methods: {
    getContent: { args: z.tuple([]), result: ContentSnapshot },
    getStatus: { args: z.tuple([]), result: KioskStatus },
  },
  events: {
    onContentChanged: ContentSnapshot,
    onStatusChanged: KioskStatus,
  },
});

/** The renderer's view of the host: `window.linli` in Electron, a WebSocket proxy in the browser shell. */
export type KioskApi = ServiceApi<typeof kioskApiDefinition>;

/** Locale type re-exported for the renderer's convenience. */
export type { Locale };

/** Loopback paths of the host, written once for host and renderer. */
export const hostPaths = {
  /** The KioskApi WebSocket. */
  api: '/api',
  /** Cached assets: `/assets/<sha256>`. */
  assets: '/assets/',
  /** Query parameter carrying the per-launch token. */
  tokenParameter: 'token',
} as const;
