import { z } from 'zod';

/** CMS roles (DESIGN.md §Security). A user may hold several. */
export const ROLES = ['admin', 'editor', 'reviewer', 'clerk', 'auditor'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The signed-in person as routes see it (`locals.user`). */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** Signed in with a one-time password: every page sends them to /account/password until they set their own. */
  mustChangePassword?: boolean;
}

/** True when the user holds any of the roles (admin holds every permission). */
export function hasRole(user: SessionUser | null, ...roles: Role[]): boolean {
  return !!user && (user.roles.includes('admin') || roles.some((role) => user.roles.includes(role)));
}
