import { describe, expect, it } from 'vitest';
import { describeSchedule } from './describe';

const ZH: Record<string, string> = {
  'schedule.everyDay': '每天',
  'schedule.weekdays': '工作日',
  'schedule.weekend': '周末',
  'schedule.allDay': '全天',
  'schedule.always': '全天',
  'schedule.everywhere': '所有屏幕',
  'schedule.groups': '分组 {names}',
  'schedule.tags': '标签 {names}',
  'schedule.listSeparator': '、',
  'schedule.separator': '，',
  'schedule.day.1': '周一',
  'schedule.day.3': '周三',
};
const t = (key: string, params: Record<string, string | number> = {}) =>
  (ZH[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
const none = { communities: [], buildings: [], groups: [], tags: [] };

describe('describeSchedule', () => {
  it.each([
    [{ dayparts: [], target: none }, '全天，所有屏幕'],
    [
      {
        dayparts: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '09:00' }],
        target: { ...none, buildings: ['b1'], groups: ['大堂'] },
      },
      '工作日 07:00–09:00，1号楼，分组 大堂',
    ],
    [
      {
        dayparts: [
          { days: [3, 1], start: '22:00', end: '02:00' },
          { days: [6, 7], start: '00:00', end: '00:00' },
        ],
        target: { ...none, communities: ['xfl', 'unknown'], tags: ['touch', 'outdoor'] },
      },
      '周一、周三 22:00–02:00、周末 全天，幸福里、unknown，标签 touch、outdoor',
    ],
  ])('%j reads as %s', (schedule, expected) => {
    expect(
      describeSchedule(schedule, t, { communities: { xfl: '幸福里' }, buildings: { b1: '1号楼' } }),
    ).toBe(expected);
  });
});
