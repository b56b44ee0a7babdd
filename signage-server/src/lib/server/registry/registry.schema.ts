import { z } from 'zod';

// Messages are i18n keys (see validation.ts): forms and the CSV import show them in the user's language.

export const UNIT_TYPES = ['residential', 'commercial', 'office'] as const;
export const UnitType = z.enum(UNIT_TYPES, 'validation.unitType');
export type UnitType = z.infer<typeof UnitType>;

export const RESIDENT_ROLES = ['owner', 'tenant', 'family'] as const;
export const ResidentRole = z.enum(RESIDENT_ROLES, 'validation.residentRole');
export type ResidentRole = z.infer<typeof ResidentRole>;

/**
 * A phone number as we store it: digits only. Mainland mobiles (11 digits starting 13–19) and landlines with
 * area code (0 + 9–11 digits); spaces, dashes, brackets and a +86/0086 prefix are dropped. Null when it is
 * neither.
 */
export function normalizePhone(raw: string): string | null {
  const compact = raw.replace(/[\s\-()（）]/g, '').replace(/^(?:\+86|0086)/, '');
  if (/^1[3-9]\d{9}$/.test(compact)) return compact;
  if (/^0\d{9,11}$/.test(compact)) return compact;
  return null;
}

/** An optional phone field: empty means "none", anything else must be a valid number (normalised). */
export const OptionalPhone = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === '') return null;
    const phone = normalizePhone(value);
    if (!phone) ctx.addIssue({ code: 'custom', message: 'validation.phone' });
    return phone;
  });

const Code = z
  .string()
  .trim()
  .min(1, 'validation.required')
  .max(16, 'validation.tooLong')
  .regex(/^[A-Za-z0-9-]+$/, 'validation.code');

const Name = z.string().trim().min(1, 'validation.required').max(60, 'validation.tooLong');

/** Floors as people number them: basements are negative, there is no floor 0. */
export const Floor = z.coerce
  .number('validation.integer')
  .int('validation.integer')
  .min(-5, 'validation.floorRange')
  .max(200, 'validation.floorRange')
  .refine((floor) => floor !== 0, 'validation.floorRange');

/** Floor area in m², at most two decimals (what a property certificate states). */
export const AreaM2 = z.coerce
  .number('validation.area')
  .positive('validation.area')
  .max(10_000, 'validation.area')
  .refine((area) => Math.abs(area * 100 - Math.round(area * 100)) < 1e-6, 'validation.area');

export const CommunityInput = z.object({
  name: Name,
  nameEn: z.string().trim().max(100, 'validation.tooLong').default(''),
  address: z.string().trim().max(200, 'validation.tooLong').default(''),
});
export type CommunityInput = z.input<typeof CommunityInput>;

export const BuildingInput = z.object({
  code: Code,
  name: Name,
  floors: z.coerce
    .number('validation.integer')
    .int('validation.integer')
    .min(1, 'validation.floorsRange')
    .max(200, 'validation.floorsRange'),
});
export type BuildingInput = z.input<typeof BuildingInput>;

export const UnitNumber = z
  .string()
  .trim()
  .min(1, 'validation.required')
  .max(20, 'validation.tooLong')
  .regex(/^[A-Za-z0-9-]+$/, 'validation.unitNumber');

export const UnitInput = z.object({ number: UnitNumber, floor: Floor, areaM2: AreaM2, type: UnitType });
export type UnitInput = z.input<typeof UnitInput>;

export const ResidentInput = z.object({ name: Name, phone: OptionalPhone, role: ResidentRole });
export type ResidentInput = z.input<typeof ResidentInput>;

/** Editing a resident: an empty phone keeps the stored one unless `clearPhone` is set. */
export const ResidentUpdateInput = z.object({
  name: Name,
  phone: OptionalPhone,
  role: ResidentRole,
  clearPhone: z
    .union([z.literal('on'), z.literal('true'), z.boolean()])
    .optional()
    .transform((v) => v === 'on' || v === 'true' || v === true),
});
export type ResidentUpdateInput = z.input<typeof ResidentUpdateInput>;

export interface Community {
  id: string;
  name: string;
  nameEn: string;
  address: string;
  timeZone: string;
  createdAt: string;
}
export interface CommunitySummary extends Community {
  buildings: number;
  units: number;
  residents: number;
}
export interface Building {
  id: string;
  communityId: string;
  code: string;
  name: string;
  floors: number;
}
export interface BuildingSummary extends Building {
  units: number;
  residents: number;
}
export interface Unit {
  id: string;
  buildingId: string;
  number: string;
  floor: number;
  areaM2: number;
  type: UnitType;
}
export interface UnitSummary extends Unit {
  residents: number;
}
/** A resident as pages see them: the phone only ever masked. */
export interface Resident {
  id: string;
  unitId: string;
  name: string;
  phoneMasked: string | null;
  role: ResidentRole;
  createdAt: string;
  updatedAt: string;
}
