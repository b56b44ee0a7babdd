import { error } from '@sveltejs/kit';
import {
  DEFAULT_LOCALE,
  DEFAULT_TIME_ZONE,
  dropExternalImages,
  rewriteAssetUrls,
  type LayoutV1,
  type PlaylistV1,
  type SignageItem,
} from '@linli/content';
import { cmsAssetUrl } from '$lib/cms/asset-url';
import { DEVICE_SIZES, orientationOf } from '$lib/cms/signage/device-size';
import { translate } from '$lib/i18n';
import { requireSignageEditor } from '$lib/server/playlists/playlist-routes';
import type { PlaylistRecord } from '$lib/server/playlists/playlist.schema';
import type { PageServerLoad } from './$types';

const toPlaylistV1 = (record: PlaylistRecord): PlaylistV1 => ({
  id: record.id,
  name: record.name,
  entries: record.entries.map(({ itemId, assetSha256, durationSeconds, transition }) => ({
    itemId,
    assetSha256,
    durationSeconds,
    transition,
  })),
});

/**
 * A playlist (played full screen) or a layout with its zones, at a kiosk's real resolution, with the kiosk's own
 * signage components. Item entries show the published version in zh-CN, as a screen would; an entry whose item
 * is not published is skipped, as on a screen. Nothing is recorded as played.
 */
export const load: PageServerLoad = ({ locals, params, url }) => {
  requireSignageEditor(locals);
  const { playlists, content, ratings, registry } = locals.services;
  const notFound = (key: string) =>
    error(404, { message: translate(locals.locale ?? 'zh-CN', key), kind: 'not-found' });

  let layout: LayoutV1;
  let records: PlaylistRecord[];
  let editHref: string;
  if (params.kind === 'playlist') {
    const playlist = playlists.getPlaylist(params.id);
    if (!playlist) notFound('playlists.error.notFound');
    records = [playlist!];
    layout = {
      id: `preview:${playlist!.id}`,
      name: playlist!.name,
      template: 'full',
      zones: { main: playlist!.id },
      timeZone: DEFAULT_TIME_ZONE,
    };
    editHref = `/cms/playlists/${encodeURIComponent(playlist!.id)}`;
  } else if (params.kind === 'layout') {
    const stored = playlists.getLayout(params.id);
    if (!stored) notFound('layouts.error.notFound');
    const community = stored!.target.communities[0];
    layout = {
      id: stored!.id,
      name: stored!.name,
      template: stored!.template,
      zones: stored!.zones,
      // the clock shows the time of the layout's (first) community, as its screens do
      timeZone: (community && registry.getCommunity(community)?.timeZone) || DEFAULT_TIME_ZONE,
    };
    records = Object.values(stored!.zones).flatMap((id) => {
      const playlist = id ? playlists.getPlaylist(id) : null;
      return playlist ? [playlist] : [];
    });
    editHref = `/cms/layouts/${encodeURIComponent(stored!.id)}`;
  } else {
    notFound('cms.error.notFound');
  }

  const wanted = new Set(records!.flatMap((record) => record.entries.flatMap((entry) => entry.itemId ?? [])));
  const chosen = new Map<string, ReturnType<typeof content.listPublished>[number]>();
  for (const record of content.listPublished()) {
    if (!wanted.has(record.id)) continue;
    // signage shows the default language, falling back to whatever exists
    if (!chosen.has(record.id) || record.locale === DEFAULT_LOCALE) chosen.set(record.id, record);
  }
  const items: Record<string, SignageItem> = {};
  for (const record of ratings.withRatings([...chosen.values()])) {
    items[record.id] = {
      title: record.title,
      summary: record.summary,
      // rendered on save by renderMarkdown: safe by construction; outside images become their alt text
      bodyHtml: rewriteAssetUrls(dropExternalImages(record.bodyHtml), cmsAssetUrl),
      images: record.images,
      kind: record.kind,
      payload: record.payload,
    };
  }
  const orientation = orientationOf(url);
  return {
    kind: params.kind as 'playlist' | 'layout',
    layout: layout!,
    playlists: records!.map(toPlaylistV1),
    items,
    editHref: editHref!,
    orientation,
    size: DEVICE_SIZES[orientation],
  };
};
