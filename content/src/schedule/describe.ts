import type { Daypart, Targeting } from './schedule.schema';

/** A message lookup: the caller's i18n (keys under `schedule.*`), so the same words are used everywhere. */
export type ScheduleTranslate = (key: string, params?: Record<string, string | number>) => string;

const WEEKDAYS = [1, 2, 3, 4, 5];
const WEEKEND = [6, 7];
const sameDays = (days: readonly number[], wanted: readonly number[]) =>
  days.length === wanted.length && wanted.every((day) => days.includes(day));

/** "工作日" / "周一、周三" for the days of a slot. */
export function describeDays(days: readonly number[], t: ScheduleTranslate): string {
  if (sameDays(days, [...WEEKDAYS, ...WEEKEND])) return t('schedule.everyDay');
  if (sameDays(days, WEEKDAYS)) return t('schedule.weekdays');
  if (sameDays(days, WEEKEND)) return t('schedule.weekend');
  return [...days]
    .sort((a, b) => a - b)
    .map((day) => t(`schedule.day.${day}`))
    .join(t('schedule.listSeparator'));
}

/** "工作日 07:00–09:00" for one slot; the same start and end is the whole day. */
export function describeDaypart(daypart: Daypart, t: ScheduleTranslate): string {
  const days = describeDays(daypart.days, t);
  if (daypart.start === daypart.end && daypart.start === '00:00') return `${days} ${t('schedule.allDay')}`;
  return `${days} ${daypart.start}–${daypart.end}`;
}

/**
 * A plain-language summary of when and where an item plays, e.g. "工作日 07:00–09:00，1号楼，分组 大堂": what
 * an editor checks before publishing and what the content list shows. Ids are shown through `names` when known.
 */
export function describeSchedule(
  schedule: { dayparts: readonly Daypart[]; target: Targeting },
  t: ScheduleTranslate,
  names: { communities?: Record<string, string>; buildings?: Record<string, string> } = {},
): string {
  const list = (values: readonly string[], lookup: Record<string, string> = {}) =>
    values.map((value) => lookup[value] ?? value).join(t('schedule.listSeparator'));
  const parts: string[] = [];
  parts.push(
    schedule.dayparts.length
      ? schedule.dayparts.map((daypart) => describeDaypart(daypart, t)).join(t('schedule.listSeparator'))
      : t('schedule.always'),
  );
  const { communities, buildings, groups, tags } = schedule.target;
  if (communities.length) parts.push(list(communities, names.communities));
  if (buildings.length) parts.push(list(buildings, names.buildings));
  if (groups.length) parts.push(t('schedule.groups', { names: list(groups) }));
  if (tags.length) parts.push(t('schedule.tags', { names: list(tags) }));
  if (!communities.length && !buildings.length && !groups.length && !tags.length)
    parts.push(t('schedule.everywhere'));
  return parts.join(t('schedule.separator'));
}
