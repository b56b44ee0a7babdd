import { z } from 'zod';
import {
  AlertKind,
  AlertSeverity,
  type BilingualText,
  type DeviceAlertV1,
  type AlertKind as AlertKindType,
  type AlertSeverity as AlertSeverityType,
} from '@linli/content';

/** Alert settings (LINLI_ALERT_*). */
export interface AlertOptions {
  /** Minutes an alert lasts when whoever raised it named no end (LINLI_ALERT_DEFAULT_TTL_MIN, default 120). */
  defaultTtlMinutes: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = { defaultTtlMinutes: 120 };

/** The longest an alert may be set to last: a week. */
export const MAX_TTL_MINUTES = 7 * 24 * 60;

/** Reads LINLI_ALERT_DEFAULT_TTL_MIN; throws a readable error when it is set but not a whole number of minutes. */
export function alertOptionsFrom(env: Record<string, string | undefined> = process.env): AlertOptions {
  const raw = env.LINLI_ALERT_DEFAULT_TTL_MIN;
  if (!raw) return DEFAULT_ALERT_OPTIONS;
  const parsed = z.coerce.number().int().min(1).max(MAX_TTL_MINUTES).safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Invalid Linli configuration:\n  LINLI_ALERT_DEFAULT_TTL_MIN: 1 to ${MAX_TTL_MINUTES} minutes`,
    );
  }
  return { defaultTtlMinutes: parsed.data };
}

/** Where an alert stands: on screens, cleared by someone, or run out by its expiry. */
export type AlertState = 'active' | 'cleared' | 'expired';

/** An alert with everything the CMS shows. */
export interface AlertRecord {
  id: string;
  communityId: string;
  communityName: string | null;
  kind: AlertKindType;
  severity: AlertSeverityType;
  title: BilingualText;
  body: BilingualText;
  targetBuildings: string[];
  targetGroups: string[];
  targetTags: string[];
  raisedAt: string;
  raisedBy: string;
  sourceId: string | null;
  sourceName: string | null;
  externalId: string | null;
  expiresAt: string;
  clearedAt: string | null;
  clearedBy: string | null;
  expiryNotedAt: string | null;
}

/** An alert with its state at one instant. */
export interface AlertView extends AlertRecord {
  state: AlertState;
}

/** The state of an alert at `now`. */
export function alertStateAt(alert: Pick<AlertRecord, 'clearedAt' | 'expiresAt'>, now: Date): AlertState {
  if (alert.clearedAt) return 'cleared';
  return Date.parse(alert.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

/** A webhook source as the admin sees it (never its token, only a hash is kept). */
export interface AlertSourceRecord {
  id: string;
  name: string;
  communityId: string;
  communityName: string | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedBy: string | null;
  revokedAt: string | null;
}

/** What targeting looks at on a device (the fleet's fields). */
export interface TargetableDevice {
  id: string;
  communityId: string | null;
  /** The building whose lobby it stands in, when known. */
  buildingId?: string | null;
  group: string | null;
  tags: string[];
  revokedAt: string | null;
}

/**
 * True when the alert is for the device: same community, and either nothing narrower named (the whole community) or
 * the device stands in one of the buildings, is in one of the groups or carries one of the tags. Any one match is
 * enough (unlike content targeting, which needs every kind to match): for an alarm, reaching a screen too many is
 * the safe mistake. A device bound to no community gets none: nobody can say whose fire it should announce.
 */
export function targets(
  alert: Pick<AlertRecord, 'communityId' | 'targetBuildings' | 'targetGroups' | 'targetTags'>,
  device: TargetableDevice,
): boolean {
  if (device.revokedAt || device.communityId !== alert.communityId) return false;
  if (alert.targetBuildings.length + alert.targetGroups.length + alert.targetTags.length === 0) return true;
  if (device.buildingId && alert.targetBuildings.includes(device.buildingId)) return true;
  if (device.group && alert.targetGroups.includes(device.group)) return true;
  return device.tags.some((tag) => alert.targetTags.includes(tag));
}

/** The alert as a kiosk receives it. */
export function toDeviceAlert(alert: AlertRecord): DeviceAlertV1 {
  return {
    id: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    title: alert.title,
    body: alert.body,
    raisedAt: alert.raisedAt,
    expiresAt: alert.expiresAt,
  };
}

/**
 * The words shown when whoever raised the alert gave none (a gateway often sends only a kind): a title and what
 * to do, in both languages, from the community-safety guidance of each kind.
 */
export const KIND_DEFAULTS: Record<
  AlertKindType,
  { severity: AlertSeverityType; title: BilingualText; body: BilingualText }
> = {
  fire: {
    severity: 'critical',
    title: { 'zh-CN': '火警', en: 'Fire alarm' },
    body: {
      'zh-CN': '请立即沿疏散通道有序撤离，切勿乘坐电梯。低姿前进，用湿毛巾捂住口鼻。',
      en: 'Leave now by the marked escape routes. Do not use the lifts. Stay low and cover your mouth and nose.',
    },
  },
  gas: {
    severity: 'critical',
    title: { 'zh-CN': '燃气泄漏警报', en: 'Gas leak alarm' },
    body: {
      'zh-CN': '请勿开关电器、勿使用明火，打开门窗通风，立即离开并等候工作人员通知。',
      en: 'Do not switch anything on or off and no open flames. Open windows, leave now and wait for staff.',
    },
  },
  flood: {
    severity: 'warning',
    title: { 'zh-CN': '水浸警报', en: 'Flood warning' },
    body: {
      'zh-CN': '地下车库及低洼处有积水，请勿进入，尽快将车辆移至安全地点。',
      en: 'Water in the underground garage and low areas. Keep out and move vehicles to safe ground.',
    },
  },
  'bin-full': {
    severity: 'info',
    title: { 'zh-CN': '垃圾桶已满', en: 'Bins are full' },
    body: {
      'zh-CN': '附近垃圾投放点已满，清运人员正在处理，请暂时投放到其他投放点。',
      en: 'The nearby bins are full and are being emptied. Please use another collection point for now.',
    },
  },
  emission: {
    severity: 'warning',
    title: { 'zh-CN': '排放超标警报', en: 'Emission alarm' },
    body: {
      'zh-CN': '监测到异常排放，请关闭门窗，减少外出，等候进一步通知。',
      en: 'Abnormal emissions detected. Close windows, stay indoors where you can and wait for further notice.',
    },
  },
  other: {
    severity: 'warning',
    title: { 'zh-CN': '社区紧急通知', en: 'Community emergency notice' },
    body: {
      'zh-CN': '请留意工作人员指引。',
      en: 'Please follow the instructions of the staff.',
    },
  },
};

const Label = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[^,]*$/, 'no commas');
/** Comma-separated labels from a form field (Chinese commas too), deduplicated. */
const LabelList = z
  .string()
  .max(800)
  .default('')
  .transform((text) =>
    [...new Set(text.split(/[,，]/).map((label) => label.trim().toLowerCase()))].filter(Boolean),
  )
  .pipe(z.array(Label).max(20));
const OptionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .default('')
    .transform((v) => v || null);

/** The CMS raise form. Empty texts are filled from the kind; empty TTL: the configured default. */
export const RaiseAlertRequest = z.object({
  communityId: z.string().trim().min(1).max(100),
  kind: AlertKind,
  severity: z
    .union([AlertSeverity, z.literal('')])
    .default('')
    .transform((v) => v || null),
  titleZh: OptionalText(80),
  titleEn: OptionalText(80),
  bodyZh: OptionalText(500),
  bodyEn: OptionalText(500),
  /** Building ids (the form's checkboxes arrive as a list). */
  buildings: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((value) =>
      [...new Set((Array.isArray(value) ? value : [value]).map((id) => id.trim()))].filter(Boolean),
    )
    .pipe(z.array(z.string().max(100)).max(50)),
  groups: LabelList,
  tags: LabelList,
  ttlMinutes: z
    .union([z.literal(''), z.coerce.number().int().min(1).max(MAX_TTL_MINUTES)])
    .default('')
    .transform((v) => (v === '' ? null : v)),
});
export type RaiseAlertRequest = z.input<typeof RaiseAlertRequest>;

/** The admin's "new webhook source" form. */
export const AlertSourceRequest = z.object({
  name: z.string().trim().min(1).max(80),
  communityId: z.string().trim().min(1).max(100),
});
export type AlertSourceRequest = z.input<typeof AlertSourceRequest>;

export type AlertErrorKind = 'invalid' | 'not-found' | 'unauthorized' | 'conflict';
export type AlertResult<T> =
  { ok: true; value: T } | { ok: false; error: { kind: AlertErrorKind; message: string; field?: string } };
