import type { Locale } from '@linli/content';
import type { SessionUser } from '$lib/server/auth/roles';
import type { Services } from '$lib/server/services';

declare global {
  namespace App {
    interface Locals {
      services: Services;
      /** The signed-in CMS user, or null (set by hooks.server.ts `handle` from the `linli_session` cookie). */
      user: SessionUser | null;
      /** The UI language of this request (cookie `linli_locale`, then Accept-Language, then zh-CN). */
      locale: Locale;
      /**
       * Station pages only: the community the station console works on (cookie `linli_station_community`, else
       * the first community; null without any). See $lib/server/station/station-community.ts.
       */
      stationCommunityId: string | null;
    }
    interface Error {
      kind?: string;
    }
  }
}

export {};
