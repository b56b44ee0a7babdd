import { z } from 'zod';
import { ROLES } from '../auth/roles';

// Messages are i18n keys (see validation.ts): forms show them in the user's language.

/** Login names: 3–32 lower-case letters, digits, dot, dash, underscore; compared without case. */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'validation.username');

/** Passwords: 8–200 characters (NIST 800-63B: length over composition rules). */
export const Password = z.string().min(8, 'validation.passwordShort').max(200, 'validation.passwordLong');

export const DisplayName = z.string().trim().min(1, 'validation.required').max(60, 'validation.tooLong');

const Roles = z.array(z.enum(ROLES, 'validation.roles'), 'validation.roles').min(1, 'validation.roles');

/** The "new user" form. An empty password means: generate a one-time password and show it once. */
export const CreateUserInput = z.object({
  username: Username,
  displayName: DisplayName,
  roles: Roles,
  password: z.union([z.literal('').transform(() => undefined), Password]).optional(),
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

/** The "edit user" form. */
export const UpdateUserInput = z.object({ displayName: DisplayName, roles: Roles });
export type UpdateUserInput = z.input<typeof UpdateUserInput>;

/** The "change my password" form. */
export const ChangePasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'validation.required'),
    newPassword: Password,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    message: 'validation.passwordMismatch',
    path: ['confirmPassword'],
  });

/** The login form (no length rules here: a wrong password is just wrong). */
export const LoginInput = z.object({
  username: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
  password: z.string().min(1, 'validation.required').max(1000, 'validation.tooLong'),
});
