import type { Locale } from '@linli/content';

/** Every string the kiosk shows, in every UI language (zh-CN first: it is the default and the fallback). */
export const messages = {
  brand: { 'zh-CN': '邻里', en: 'Linli' },
  brandTagline: { 'zh-CN': '社区信息服务', en: 'Community information' },
  homeTitle: { 'zh-CN': '民情互动', en: 'Community affairs' },
  homeSubtitle: { 'zh-CN': '了解社区事务，参与社区生活', en: 'Know your community, take part in it' },
  channelsTitle: { 'zh-CN': '专题频道', en: 'Topic channels' },
  channelsSubtitle: { 'zh-CN': '生活中的政策、法律与知识', en: 'Policy, law and know-how for daily life' },
  home: { 'zh-CN': '首页', en: 'Home' },
  homeHint: { 'zh-CN': '请点击栏目查看内容', en: 'Tap a section to read its notices' },
  back: { 'zh-CN': '返回', en: 'Back' },
  switchLanguage: { 'zh-CN': 'English', en: '中文' },
  switchLanguageLabel: { 'zh-CN': 'Switch to English', en: '切换到中文' },
  itemCount: { 'zh-CN': '{n} 条', en: '{n} items' },
  itemCountOne: { 'zh-CN': '1 条', en: '1 item' },
  emptyCategory: { 'zh-CN': '这里暂时没有内容', en: 'Nothing here yet' },
  emptyCategoryHint: {
    'zh-CN': '新的通知发布后会自动出现在这里。',
    en: 'New notices appear here as soon as they are published.',
  },
  noContent: { 'zh-CN': '正在准备内容…', en: 'Getting content ready…' },
  published: { 'zh-CN': '发布日期', en: 'Published' },
  itemWithdrawn: {
    'zh-CN': '该内容已下线，已为您返回列表。',
    en: 'That item was withdrawn; you are back at the list.',
  },
  statusOnline: { 'zh-CN': '在线', en: 'Online' },
  statusOffline: { 'zh-CN': '离线 · 显示已保存的内容', en: 'Offline · showing saved content' },
  statusNotEnrolled: { 'zh-CN': '未登记 · 请联系管理员', en: 'Not enrolled · ask an administrator' },
  statusHostLost: { 'zh-CN': '正在重新连接…', en: 'Reconnecting…' },
  lastUpdated: { 'zh-CN': '更新于 {time}', en: 'Updated {time}' },
} as const satisfies Record<string, Record<Locale, string>>;

/** A message id. */
export type MessageId = keyof typeof messages;

/** The text of a message in a language, with `{name}` placeholders filled in. */
export function t(locale: Locale, id: MessageId, values: Record<string, string | number> = {}): string {
  return messages[id][locale].replace(/\{(\w+)\}/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  );
}

/** The community's time zone: times are stored in UTC and shown here (DESIGN.md §Data). */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

const intlLocale = (locale: Locale) => (locale === 'zh-CN' ? 'zh-CN' : 'en-GB');

/** A date as residents read it: 2026年11月20日 / 20 Nov 2026. */
export function formatDate(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: DISPLAY_TIME_ZONE,
    year: 'numeric',
    month: locale === 'zh-CN' ? 'long' : 'short',
    day: 'numeric',
  }).format(new Date(iso));
}

/** The clock in the top bar: time and weekday with date. */
export function formatClock(now: Date, locale: Locale): { time: string; date: string } {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: DISPLAY_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(now);
  const date = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: DISPLAY_TIME_ZONE,
    month: locale === 'zh-CN' ? 'long' : 'short',
    day: 'numeric',
    weekday: locale === 'zh-CN' ? 'long' : 'short',
  }).format(now);
  return { time, date };
}
