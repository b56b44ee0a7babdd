/** Methods that change nothing and so need no CSRF check. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when a request changes state and does not come from our own pages. SvelteKit checks the Origin of form
 * posts only (form content types); this covers every other content type (JSON, uploads by fetch) the same way, so a
 * page on another site cannot make a signed-in browser call a CMS or admin endpoint. Device calls under /api/ are
 * exempt: they carry bearer credentials, not cookies, so there is nothing for another site to ride on.
 */
export function isCrossSiteWrite(method: string, url: URL, origin: string | null): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (url.pathname.startsWith('/api/')) return false;
  return origin !== url.origin;
}
