import { z } from 'zod';
import { IsoInstant } from '../content-item.schema';
import { API_V1 } from './paths';

/** Paths of emergency alerts: a device's active alerts (polling recovery) and the IoT gateways' webhook. */
export const alertPaths = {
  deviceAlerts: `${API_V1}/device/alerts`,
  webhook: `${API_V1}/alerts/webhook`,
} as const;

/** What raised the alarm (§6.2.2-4 fire and gas, §6.2.5 bins and emissions). */
export const ALERT_KINDS = ['fire', 'gas', 'flood', 'bin-full', 'emission', 'other'] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/** How grave it is: `critical` means leave or act now (fire, gas), `warning` take care, `info` for notice. */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export const AlertSeverity = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** Name of the server-sent event that carries a device's active alerts on `/api/v1/device/events`. */
export const ALERT_EVENT_NAME = 'alert';

/** A text in both UI languages. */
export const BilingualText = z.object({ 'zh-CN': z.string(), en: z.string() });
export type BilingualText = z.infer<typeof BilingualText>;

/** One active alert as a kiosk shows it. */
export const DeviceAlertV1 = z.object({
  id: z.string().min(1).max(100),
  kind: AlertKind,
  severity: AlertSeverity,
  title: BilingualText,
  body: BilingualText,
  raisedAt: IsoInstant,
  /** The alert ends by itself at this instant even if nobody clears it (the kiosk checks by server time). */
  expiresAt: IsoInstant,
});
export type DeviceAlertV1 = z.infer<typeof DeviceAlertV1>;

/**
 * Every alert active for the device, complete: the `alert` event data (sent on each raise, clear or expiry and
 * whenever the stream opens) and the answer of `GET /api/v1/device/alerts`. A kiosk replaces its set with it, so a
 * lost event costs nothing once the next one or the next poll arrives.
 */
export const DeviceAlertsV1 = z.object({
  alerts: z.array(DeviceAlertV1).max(100),
  sentAt: IsoInstant,
});
export type DeviceAlertsV1 = z.infer<typeof DeviceAlertsV1>;

/** An id the gateway gives its alarm: the same id twice is the same alert (retries are safe). */
const ExternalId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:/-]+$/, 'letters, digits and . _ : / - only');
const Label = z.string().trim().toLowerCase().min(1).max(40);
const Text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The body of `POST /api/v1/alerts/webhook`: an IoT alarm gateway raises or clears an alarm of its community.
 * Texts left out are filled from the kind (e.g. fire: "火警 / Fire alarm" with the evacuation advice).
 */
export const AlertWebhookV1 = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('raise'),
    externalId: ExternalId,
    kind: AlertKind,
    severity: AlertSeverity.optional(),
    title: z.object({ 'zh-CN': Text(80).optional(), en: Text(80).optional() }).optional(),
    body: z.object({ 'zh-CN': Text(500).optional(), en: Text(500).optional() }).optional(),
    /** Buildings (ids), device groups and tags of the community; a device matching any one gets it; none: all. */
    target: z
      .object({
        buildings: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
        groups: z.array(Label).max(20).default([]),
        tags: z.array(Label).max(20).default([]),
      })
      .optional(),
    /** Minutes until it ends by itself; the server's default (LINLI_ALERT_DEFAULT_TTL_MIN) when left out. */
    ttlMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  }),
  z.object({ action: z.literal('clear'), externalId: ExternalId }),
]);
export type AlertWebhookV1 = z.infer<typeof AlertWebhookV1>;

/** The webhook's answer. `replayed`: this (source, externalId) was already raised, or already cleared. */
export const AlertWebhookResponseV1 = z.object({
  alertId: z.string(),
  state: z.enum(['active', 'cleared', 'expired']),
  replayed: z.boolean(),
  /** How many connected devices the change was pushed to at once. */
  pushedTo: z.number().int().min(0),
});
export type AlertWebhookResponseV1 = z.infer<typeof AlertWebhookResponseV1>;
