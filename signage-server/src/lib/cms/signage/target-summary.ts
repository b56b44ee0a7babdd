import type { Targeting } from '@linli/content';

/** A layout's targeting in one line: `幸福里 · 1号楼 · 分组 lobby`, or "every screen". */
export function targetSummary(
  target: Targeting,
  names: { communities: { id: string; name: string }[]; buildings: { id: string; name: string }[] },
  t: (key: string) => string,
): string {
  const nameOf = (list: { id: string; name: string }[], id: string) =>
    list.find((x) => x.id === id)?.name ?? id;
  const parts = [
    ...target.communities.map((id) => nameOf(names.communities, id)),
    ...target.buildings.map((id) => nameOf(names.buildings, id)),
    ...target.groups.map((group) => `${t('layouts.field.groups')} ${group}`),
    ...target.tags.map((tag) => `#${tag}`),
  ];
  return parts.length === 0 ? t('layouts.target.all') : parts.join(' · ');
}
