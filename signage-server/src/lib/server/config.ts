import { z } from 'zod';
import path from 'node:path';

/** Server configuration, read once from the environment (see README: LINLI_*). */
export const ServerConfig = z.object({
  port: z.coerce.number().int().min(1).max(65535).default(8080),
  host: z.string().default('0.0.0.0'),
  dataDir: z.string().min(1).default('./data'),
  /** When unset, a one-time admin password is generated and printed at first start. */
  adminPassword: z.string().min(8, 'LINLI_ADMIN_PASSWORD must be at least 8 characters').optional(),
  /** Public base URL used in links (resident confirmation pages, QR codes). */
  publicUrl: z.string().url().optional(),
  /** Import the demo pack and the demo community into an empty database. */
  seedDemo: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Cookies get `Secure` unless explicitly served over plain http on a trusted network (the demo). */
  insecureCookies: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Largest image upload in bytes (LINLI_MAX_IMAGE_BYTES, default 10 MB). */
  maxImageBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(20 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Largest video upload in bytes (LINLI_MAX_VIDEO_BYTES, default 500 MB). */
  maxVideoBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024 * 1024)
    .default(500 * 1024 * 1024),
  /** Largest PDF upload in bytes (LINLI_MAX_PDF_BYTES, default 50 MB). */
  maxPdfBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(50 * 1024 * 1024),
  /** The content pack imported at first start (LINLI_PACK_DIR); default: content/packs/demo of the repository. */
  packDir: z.string().min(1).optional(),
  /** Card payments above this many fen need the PIN (LINLI_PIN_REQUIRED_ABOVE_FEN, default 20000 = ¥200). */
  pinRequiredAbove: z.coerce.number().int().min(0).default(20_000),
  /** HMAC secret of the simulated top-up provider (LINLI_SIM_PROVIDER_SECRET); default: derived from the hash key. */
  simProviderSecret: z.string().min(16).optional(),
  /**
   * Online top-up at the kiosks (LINLI_ONLINE_TOPUP): `off` (default) or `sim`, the simulated provider with its
   * checkout page at /sim-pay — for demos and tests only, since anyone who opens that page can "pay" an order.
   */
  onlineTopUp: z.enum(['off', 'sim']).default('off'),
  /** Hours an online top-up order may wait for its payer before it is closed (LINLI_TOPUP_ORDER_EXPIRY_H, 2). */
  topUpOrderExpiryHours: z.coerce.number().min(0.1).max(720).default(2),
  /** Bearer token Prometheus sends to /metrics (LINLI_METRICS_TOKEN); unset keeps /metrics closed. */
  metricsToken: z.string().min(16, 'LINLI_METRICS_TOKEN must be at least 16 characters').optional(),
  /** Heartbeat intervals a kiosk may miss before it is shown offline (LINLI_FLEET_MISSED_HEARTBEATS, default 3). */
  fleetMissedHeartbeats: z.coerce.number().int().min(1).max(100).default(3),
  /** Seconds the visited unit's residents have to answer before the clerk decides (LINLI_VISITOR_HOST_TIMEOUT_S). */
  visitorHostTimeoutSeconds: z.coerce.number().int().min(10).max(3600).default(180),
  /** Days a visit keeps its identity data (LINLI_RETENTION_VISITOR_DAYS, default 90; stated in the consent text). */
  visitorRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
  /** Hours a visit may stay undecided before it expires (LINLI_VISITOR_UNDECIDED_EXPIRY_H). */
  visitorUndecidedExpiryHours: z.coerce.number().min(1).max(168).default(12),
  /** Days plays and touches are kept for the proof-of-play reports (LINLI_STATS_RETENTION_DAYS, default 90). */
  statsRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** Parses LINLI_* variables; throws a readable error naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = ServerConfig.safeParse({
    port: env.LINLI_PORT ?? env.PORT,
    host: env.LINLI_HOST ?? env.HOST,
    dataDir: env.LINLI_DATA_DIR,
    adminPassword: env.LINLI_ADMIN_PASSWORD || undefined,
    publicUrl: env.LINLI_PUBLIC_URL || undefined,
    seedDemo: env.LINLI_SEED_DEMO,
    insecureCookies: env.LINLI_INSECURE_COOKIES,
    maxImageBytes: env.LINLI_MAX_IMAGE_BYTES || undefined,
    maxVideoBytes: env.LINLI_MAX_VIDEO_BYTES || undefined,
    maxPdfBytes: env.LINLI_MAX_PDF_BYTES || undefined,
    packDir: env.LINLI_PACK_DIR || undefined,
    pinRequiredAbove: env.LINLI_PIN_REQUIRED_ABOVE_FEN || undefined,
    simProviderSecret: env.LINLI_SIM_PROVIDER_SECRET || undefined,
    onlineTopUp: env.LINLI_ONLINE_TOPUP || undefined,
    topUpOrderExpiryHours: env.LINLI_TOPUP_ORDER_EXPIRY_H || undefined,
    metricsToken: env.LINLI_METRICS_TOKEN || undefined,
    fleetMissedHeartbeats: env.LINLI_FLEET_MISSED_HEARTBEATS || undefined,
    visitorHostTimeoutSeconds: env.LINLI_VISITOR_HOST_TIMEOUT_S || undefined,
    visitorRetentionDays: env.LINLI_RETENTION_VISITOR_DAYS || undefined,
    visitorUndecidedExpiryHours: env.LINLI_VISITOR_UNDECIDED_EXPIRY_H || undefined,
    statsRetentionDays: env.LINLI_STATS_RETENTION_DAYS || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid Linli configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
