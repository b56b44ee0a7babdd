import type { DeviceRecord } from '../devices/device.schema';
import type { Building, Community } from '../registry/registry.schema';

/** What the targeting pickers offer: communities and buildings from the registry, groups and tags in use. */
export interface TargetOptions {
  communities: { id: string; name: string; nameEn: string }[];
  buildings: { id: string; communityId: string; name: string; code: string }[];
  groups: string[];
  tags: string[];
}

/** Names an editor reads instead of ids, for the schedule summary and the content list. */
export interface TargetNames {
  communities: Record<string, string>;
  buildings: Record<string, string>;
}

/** The picker options: registry rows, and the groups and tags of active devices (sorted, unique). */
export function targetOptions(sources: {
  registry: {
    listCommunities(): Community[];
    listBuildings(communityId: string): Building[];
  };
  devices: { list(): DeviceRecord[] };
}): TargetOptions {
  const communities = sources.registry.listCommunities();
  const devices = sources.devices.list().filter((device) => !device.revokedAt);
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));
  return {
    communities: communities.map(({ id, name, nameEn }) => ({ id, name, nameEn })),
    buildings: communities.flatMap((community) =>
      sources.registry
        .listBuildings(community.id)
        .map(({ id, communityId, name, code }) => ({ id, communityId, name, code })),
    ),
    groups: sorted(devices.flatMap((device) => (device.group ? [device.group] : []))),
    tags: sorted(devices.flatMap((device) => device.tags)),
  };
}

/** Display names for ids, in the editor's language (a community's English name falls back to its Chinese one). */
export function targetNames(options: TargetOptions, locale: string): TargetNames {
  return {
    communities: Object.fromEntries(
      options.communities.map((c) => [c.id, locale === 'en' && c.nameEn ? c.nameEn : c.name]),
    ),
    buildings: Object.fromEntries(options.buildings.map((b) => [b.id, b.name])),
  };
}
