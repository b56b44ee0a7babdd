import type { Cookies } from '@sveltejs/kit';

/** A message shown once on the next page (after a redirect or an enhanced form post). `key` is an i18n key. */
export interface FlashMessage {
  kind: 'success' | 'error' | 'warning' | 'info';
  key: string;
  params?: Record<string, string | number>;
}

const FLASH_COOKIE = 'linli_flash';

/** Options of every cookie the CMS sets: httpOnly, SameSite=Lax, Secure unless configured for plain http. */
export function cookieOptions(locals: App.Locals) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: !locals.services.config.insecureCookies,
  };
}

/** Queues a flash message for the next page this browser renders. */
export function setFlash(cookies: Cookies, locals: App.Locals, message: FlashMessage): void {
  cookies.set(FLASH_COOKIE, Buffer.from(JSON.stringify(message)).toString('base64url'), {
    ...cookieOptions(locals),
    maxAge: 60,
  });
}

/** Reads and clears the queued flash message (the root layout does this on every page). */
export function takeFlash(cookies: Cookies, locals: App.Locals): FlashMessage | null {
  const raw = cookies.get(FLASH_COOKIE);
  if (!raw) return null;
  cookies.delete(FLASH_COOKIE, cookieOptions(locals));
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as FlashMessage;
    if (typeof parsed.key !== 'string' || !['success', 'error', 'warning', 'info'].includes(parsed.kind))
      return null;
    return parsed;
  } catch {
    return null;
  }
}
