import type { RegistryService } from '../registry/registry.service';

/**
 * Which community a service station's console works on. A street office's station can serve several communities;
 * the clerk picks one (a cookie of this browser, which on a station PC means this station) and the cards, cash
 * drawer, daily close, bills and visitors pages all work on it. Without a choice, or when the chosen community no
 * longer exists, the first community is used, as an installation with one community expects.
 */
export const STATION_COMMUNITY_COOKIE = 'linli_station_community';

/** The station's community id, or null when the registry has no community yet. */
export function resolveStationCommunity(
  registry: Pick<RegistryService, 'listCommunityNames'>,
  chosen: string | undefined,
): string | null {
  const communities = registry.listCommunityNames();
  return communities.find((community) => community.id === chosen)?.id ?? communities[0]?.id ?? null;
}
