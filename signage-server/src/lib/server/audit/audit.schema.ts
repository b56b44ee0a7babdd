import { z } from 'zod';

/** One audit entry as the audit page lists it. `detail` never holds personal data in clear (masked at most). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** What a privileged action records. `actor` is the username (or 'system'); `target` names the object touched. */
export interface AuditRecord {
  actor: string | { username: string } | null;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** Filters of the audit page (query string). */
export const AuditQuery = z.object({
  actor: z.string().trim().max(100).optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
