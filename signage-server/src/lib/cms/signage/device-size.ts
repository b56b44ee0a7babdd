/** The sizes a kiosk comes in (DESIGN.md: portrait 1080×1920 or landscape 1920×1080). */
export const DEVICE_SIZES = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
} as const;

export type Orientation = keyof typeof DEVICE_SIZES;

/** The orientation a preview asks for with `?orientation=`; portrait unless it says landscape. */
export function orientationOf(url: URL): Orientation {
  return url.searchParams.get('orientation') === 'landscape' ? 'landscape' : 'portrait';
}
