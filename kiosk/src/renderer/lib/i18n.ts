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
  statusClockWrong: { 'zh-CN': '本机时钟有偏差 · 已按服务器时间显示', en: 'Clock off · using server time' },
  // navigation and accessibility bar
  search: { 'zh-CN': '搜索', en: 'Search' },
  largeText: { 'zh-CN': '大字', en: 'Large text' },
  largeTextLabel: { 'zh-CN': '大字模式', en: 'Large text mode' },
  highContrast: { 'zh-CN': '高对比', en: 'Contrast' },
  highContrastLabel: { 'zh-CN': '高对比度模式', en: 'High-contrast mode' },
  readAloud: { 'zh-CN': '朗读', en: 'Read aloud' },
  readAloudLabel: { 'zh-CN': '朗读本页内容', en: 'Read this screen aloud' },
  stopReading: { 'zh-CN': '停止', en: 'Stop' },
  stopReadingLabel: { 'zh-CN': '停止朗读', en: 'Stop reading aloud' },
  noSpeaker: {
    'zh-CN': '本机未连接扬声器，暂时无法朗读。',
    en: 'This kiosk has no speaker, so it cannot read aloud.',
  },
  speechUnavailable: { 'zh-CN': '朗读暂时不可用。', en: 'Reading aloud is not available right now.' },
  // search
  searchTitle: { 'zh-CN': '搜索', en: 'Search' },
  searchPlaceholder: { 'zh-CN': '输入关键词，如“停水”', en: 'Type a word, e.g. "water"' },
  searchLabel: { 'zh-CN': '搜索内容', en: 'Search all content' },
  searchClear: { 'zh-CN': '清空', en: 'Clear' },
  searchHint: {
    'zh-CN': '可用拼音、英文或数字搜索所有通知和服务信息。',
    en: 'Search every notice and service, in Chinese or English.',
  },
  searchNoResults: { 'zh-CN': '没有找到“{query}”', en: 'Nothing found for "{query}"' },
  searchNoResultsHint: {
    'zh-CN': '试试更短的词，或换一个说法。',
    en: 'Try a shorter word, or another way to say it.',
  },
  searchResultCount: { 'zh-CN': '找到 {n} 条', en: '{n} found' },
  searchResultCountOne: { 'zh-CN': '找到 1 条', en: '1 found' },
  searchResults: { 'zh-CN': '搜索结果', en: 'Search results' },
  // on-screen keyboard
  keyboardLabel: { 'zh-CN': '屏幕键盘', en: 'On-screen keyboard' },
  keyPinyin: { 'zh-CN': '拼音', en: '拼音' },
  keyAbc: { 'zh-CN': 'ABC', en: 'ABC' },
  keyNumbers: { 'zh-CN': '123', en: '123' },
  keyDelete: { 'zh-CN': '删除', en: 'Delete' },
  keySpace: { 'zh-CN': '空格', en: 'Space' },
  keyShift: { 'zh-CN': '大写', en: 'Shift' },
  keyDone: { 'zh-CN': '完成', en: 'Done' },
  keyClear: { 'zh-CN': '清空', en: 'Clear' },
  candidates: { 'zh-CN': '候选字', en: 'Candidates' },
  candidatesPrevious: { 'zh-CN': '上一页候选字', en: 'Previous candidates' },
  candidatesNext: { 'zh-CN': '下一页候选字', en: 'Next candidates' },
  // continue on your phone
  phoneTitle: { 'zh-CN': '用手机继续阅读', en: 'Continue on your phone' },
  phoneHint: {
    'zh-CN': '打开手机相机或微信扫一扫，扫描二维码。',
    en: 'Point your phone camera at the code.',
  },
  phoneQrLabel: { 'zh-CN': '本条内容的二维码', en: 'QR code of this item' },
  // attract loop and session
  attractTouch: { 'zh-CN': '轻触屏幕开始', en: 'Touch the screen to start' },
  attractLabel: { 'zh-CN': '轻触屏幕开始使用', en: 'Touch the screen to start' },
  sessionCard: { 'zh-CN': '已读取卡片 {uid}', en: 'Card {uid} read' },
  sessionDocument: { 'zh-CN': '已读取证件 {name} {number}', en: 'ID read: {name} {number}' },
  sessionBarcode: { 'zh-CN': '已扫码 {code}', en: 'Code {code} scanned' },
  sessionEnd: { 'zh-CN': '结束并清除', en: 'End and clear' },
  sessionEndLabel: {
    'zh-CN': '结束本次使用并清除个人信息',
    en: 'End this session and clear personal data',
  },
  // hidden dev panel (`--dev-panel`): drives the simulated readers; never shown in production
  devPanelTitle: { 'zh-CN': '开发面板 · 模拟外设', en: 'Dev panel · simulated devices' },
  devPanelLabel: { 'zh-CN': '开发面板：模拟读卡器和扫描仪', en: 'Dev panel: simulated readers and scanners' },
  devTapCard: { 'zh-CN': '刷演示卡', en: 'Tap demo card' },
  devRemoveCard: { 'zh-CN': '移开卡片', en: 'Remove card' },
  devScanId: { 'zh-CN': '扫描演示身份证', en: 'Scan demo ID' },
  devScanBarcode: { 'zh-CN': '扫描演示条码', en: 'Scan demo barcode' },
  devDone: { 'zh-CN': '已模拟', en: 'Simulated' },
  devFailed: { 'zh-CN': '模拟失败：{kind}', en: 'Simulation failed: {kind}' },
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
