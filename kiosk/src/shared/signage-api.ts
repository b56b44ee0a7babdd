import { LayoutV1, PlaylistV1, PlayRecordV1, TouchRecordV1 } from '@linli/content';
import { z } from 'zod';

/**
 * What the renderer needs for signage (issue 4): whether this screen runs in signage mode (no touch UI) and the
 * device's layout with its playlists from the last good manifest. Item entries are shown from the content
 * snapshot, so an item outside its validity window is skipped like everywhere else.
 */
export const SignageSnapshot = z.object({
  /** `signage`: the layout fills the screen and touches do nothing; `touch`: the playlist is the attract loop. */
  mode: z.enum(['signage', 'touch']),
  layout: LayoutV1.nullable(),
  playlists: z.array(PlaylistV1),
});
export type SignageSnapshot = z.infer<typeof SignageSnapshot>;

export { PlayRecordV1 as KioskPlayRecord, TouchRecordV1 as KioskTouchRecord };
