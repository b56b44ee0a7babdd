import { hasRole, type Role, type SessionUser } from './roles';

/**
 * Who may do what, in one table so routes, navigation and the role tests agree. Each entry lists the roles
 * besides admin (admin may do everything; an empty list means admin only). Routes check these on the server
 * for every page, action and endpoint: `requireRole(locals, ...PERMISSIONS.registryEdit)`.
 */
export const PERMISSIONS = {
  /** The CMS content pages (write, review, publish). */
  content: ['editor', 'reviewer'],
  /** Browse the property registry (masked phones only). */
  registryRead: ['clerk', 'auditor'],
  /** Add and edit units and residents (service-station clerks keep the registry current). */
  registryEdit: ['clerk'],
  /** Communities, buildings and CSV imports: the structure of the registry. */
  registryStructure: [],
  /** Kiosks: pairing codes, revoking. */
  devices: [],
  /** Users and roles. */
  users: [],
  /** The audit log. */
  audit: ['auditor'],
  /** The service-station console: cards, cash top-ups, refunds (a second clerk approves), daily close, bills. */
  station: ['clerk'],
  /**
   * Raise and clear emergency alerts (fire, gas, flood…). Clerks too: the service station is staffed around the
   * clock and is where a resident's or a guard's alarm call lands, so waiting for an administrator costs minutes.
   */
  alerts: ['clerk'],
  /** Webhook sources of IoT alarm gateways (tokens that can raise alerts): administrators only. */
  alertSources: [],
  /**
   * Playlists and layouts (issue 4): editors publish them directly, the items in them went through review.
   */
  signage: ['editor'],
  /** Proof-of-play and interaction statistics: read-only reports. */
  stats: ['editor', 'reviewer', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** True when the user may do `permission`. */
export function can(user: SessionUser | null, permission: Permission): boolean {
  return hasRole(user, ...PERMISSIONS[permission]);
}

/** One entry of the CMS navigation. */
export interface NavItem {
  href: string;
  /** i18n key of the label. */
  label: string;
}

const NAVIGATION: (NavItem & { permission: Permission })[] = [
  { href: '/cms', label: 'nav.content', permission: 'content' },
  { href: '/cms/media', label: 'nav.media', permission: 'content' },
  { href: '/admin/registry', label: 'nav.registry', permission: 'registryRead' },
  { href: '/admin/devices', label: 'nav.devices', permission: 'devices' },
  { href: '/admin/users', label: 'nav.users', permission: 'users' },
  { href: '/admin/audit', label: 'nav.audit', permission: 'audit' },
  { href: '/station', label: 'nav.station', permission: 'station' },
  { href: '/cms/alerts', label: 'nav.alerts', permission: 'alerts' },
  { href: '/cms/playlists', label: 'nav.playlists', permission: 'signage' },
  { href: '/cms/layouts', label: 'nav.layouts', permission: 'signage' },
  { href: '/cms/stats', label: 'nav.stats', permission: 'stats' },
];

/** The sections a user sees in the navigation. */
export function navigationFor(user: SessionUser | null): NavItem[] {
  return NAVIGATION.filter((item) => can(user, item.permission)).map(({ href, label }) => ({ href, label }));
}

/** Where `/` and a login without a target send the user: the first section they may open. */
export function homeFor(user: SessionUser): string {
  if (user.mustChangePassword) return '/account/password';
  return navigationFor(user)[0]?.href ?? '/account/password';
}

/**
 * A post-login target from the `next` parameter, only if it is a path on this site (an open redirect would let a
 * phishing link send people on to another site after a real login).
 */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (/[\r\n]/.test(next)) return null;
  return next;
}
