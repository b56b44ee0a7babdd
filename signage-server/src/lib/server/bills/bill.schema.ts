import { BillCategory, PositiveFen, type BillV1 } from '@linli/content';
import { z } from 'zod';

/** Largest bill CSV accepted (1 MiB ≈ 15,000 rows): a utility's monthly file for one community. */
export const BILL_CSV_MAX_BYTES = 1024 * 1024;
/** Most rows in one bill CSV. */
export const BILL_CSV_MAX_ROWS = 10_000;
/** The header a bill CSV must start with (amounts in integer fen). */
export const BILL_CSV_COLUMNS = [
  'bill_id',
  'building',
  'unit',
  'category',
  'period',
  'amount_fen',
  'due_date',
] as const;

/** One data row of a bill CSV, after parsing. */
export const BillCsvRow = z.object({
  bill_id: z.string().regex(/^[\w.:-]{1,80}$/, 'bills.import.billId'),
  building: z.string().min(1, 'bills.import.building'),
  unit: z.string().min(1, 'bills.import.unit'),
  category: BillCategory,
  period: z.string().regex(/^\d{4}-\d{2}(\/\d{4}-\d{2})?$/, 'bills.import.period'),
  amount_fen: z.string().regex(/^\d+$/, 'bills.import.amount').transform(Number).pipe(PositiveFen),
  due_date: z
    .string()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'bills.import.dueDate')
    .transform((s) => s || null),
});

/** Input of the property-fee rule: fee = unit area × rate × months. */
export const PropertyFeeRule = z.object({
  communityId: z.string().min(1),
  /** First month billed, YYYY-MM. */
  period: z.string().regex(/^\d{4}-\d{2}$/, 'bills.rule.period'),
  /** Fen per square metre per month (e.g. 250 = ¥2.50/m²/month). */
  rateFenPerM2: z.coerce.number().int().positive().max(100_000),
  months: z.coerce.number().int().min(1).max(12),
  dueDate: z
    .string()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/)
    .transform((s) => s || null)
    .optional(),
});
export type PropertyFeeRule = z.input<typeof PropertyFeeRule>;

/**
 * Property fee in fen. Areas are stored in m² with at most two decimals; the product is computed in integers
 * (area in hundredths of m²) and rounded half up to the fen once, at the end — never per month.
 */
export function propertyFee(areaM2: number, rateFenPerM2: number, months: number): number {
  const areaCenti = Math.round(areaM2 * 100);
  return Math.floor((areaCenti * rateFenPerM2 * months + 50) / 100);
}

/** A stored bill. */
export interface BillRecord extends BillV1 {
  unitId: string;
  source: string;
  paidTransactionId: number | null;
  paidAt: string | null;
  createdAt: string;
}

/** A row the import refused, with the line it is on and an i18n key for why. */
export interface BillImportError {
  line: number;
  key: string;
  params?: Record<string, string | number>;
}
