import type { Locale } from '@linli/content';
import { alertMessages } from './alert-messages';
import { signageMessages } from './signage-messages';
import { visitorMessages } from './visitor-messages';

/** Every string the kiosk shows, in every UI language (zh-CN first: it is the default and the fallback). */
export const messages = {
  ...visitorMessages,
  ...alertMessages,
  ...signageMessages,
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
  // card payments (issue 7)
  payEntry: { 'zh-CN': '缴费', en: 'Pay bills' },
  payEntryHint: {
    'zh-CN': '用一卡通缴纳水、电、燃气、物业等费用',
    en: 'Pay water, power, gas, property and other bills with your community card',
  },
  payTitle: { 'zh-CN': '一卡通缴费', en: 'Pay bills with your card' },
  payTapCard: { 'zh-CN': '请将一卡通放在读卡区', en: 'Place your community card on the reader' },
  payTapCardHint: {
    'zh-CN': '读卡后显示余额和待缴账单。移开卡片即结束本次缴费。',
    en: 'Your balance and open bills appear once the card is read. Removing the card ends the session.',
  },
  payLoading: { 'zh-CN': '正在读取…', en: 'Reading…' },
  payHolder: { 'zh-CN': '持卡人', en: 'Card holder' },
  payUnit: { 'zh-CN': '房屋', en: 'Home' },
  payBalance: { 'zh-CN': '卡内余额', en: 'Balance' },
  payBillsTitle: { 'zh-CN': '待缴账单', en: 'Open bills' },
  payNoBills: { 'zh-CN': '您家暂无待缴账单。', en: 'Your household has no open bills.' },
  payBillLabel: { 'zh-CN': '{category} {period}', en: '{category} {period}' },
  payDue: { 'zh-CN': '缴费截止 {date}', en: 'Due {date}' },
  paySelectAll: { 'zh-CN': '全选', en: 'Select all' },
  paySelected: { 'zh-CN': '已选 {n} 项，合计 {total}', en: '{n} selected, total {total}' },
  payNext: { 'zh-CN': '去缴费', en: 'Continue' },
  payStatement: { 'zh-CN': '查看明细', en: 'Card statement' },
  payConfirmTitle: { 'zh-CN': '确认缴费', en: 'Confirm payment' },
  payTotal: { 'zh-CN': '合计', en: 'Total' },
  payBalanceAfter: { 'zh-CN': '缴费后余额', en: 'Balance afterwards' },
  payConfirm: { 'zh-CN': '确认支付 {total}', en: 'Pay {total}' },
  payChange: { 'zh-CN': '修改', en: 'Change' },
  payPinTitle: { 'zh-CN': '请输入支付密码', en: 'Enter your card PIN' },
  payPinHint: {
    'zh-CN': '超过 {limit} 的缴费需要输入 6 位支付密码。',
    en: 'Payments over {limit} need your 6-digit PIN.',
  },
  payPinLabel: { 'zh-CN': '支付密码，已输入 {n} 位', en: 'PIN, {n} of 6 digits entered' },
  payPaying: { 'zh-CN': '正在支付，请勿移开卡片…', en: 'Paying — please keep your card on the reader…' },
  payDoneTitle: { 'zh-CN': '缴费成功', en: 'Payment complete' },
  payDoneAmount: { 'zh-CN': '已支付 {amount}', en: '{amount} paid' },
  payReceiptTitle: { 'zh-CN': '电子凭条', en: 'E-receipt' },
  payReceiptHint: {
    'zh-CN': '用手机扫码保存电子凭条。',
    en: 'Scan with your phone to keep the e-receipt.',
  },
  payReceiptQrLabel: { 'zh-CN': '电子凭条二维码', en: 'QR code of the e-receipt' },
  payPrinted: { 'zh-CN': '纸质凭条已打印，请取走。', en: 'Your paper receipt has been printed.' },
  payPrintFailed: {
    'zh-CN': '打印机暂时无法打印，请保存电子凭条。',
    en: 'The printer could not print; please keep the e-receipt.',
  },
  payFinish: { 'zh-CN': '完成', en: 'Done' },
  payRetry: { 'zh-CN': '重试', en: 'Try again' },
  payBackToBills: { 'zh-CN': '返回账单', en: 'Back to bills' },
  payReenterPin: { 'zh-CN': '重新输入密码', en: 'Enter the PIN again' },
  payCardRemoved: {
    'zh-CN': '卡片已移开，本次缴费已结束，信息已清除。',
    en: 'Card removed: this session has ended and its details are cleared.',
  },
  payStatementTitle: { 'zh-CN': '一卡通明细', en: 'Card statement' },
  payStatementEmpty: { 'zh-CN': '暂无记录。', en: 'No movements yet.' },
  payStatementBalanceAfter: { 'zh-CN': '余额 {balance}', en: 'Balance {balance}' },
  payKind_topupCash: { 'zh-CN': '现金充值', en: 'Cash top-up' },
  payKind_topupOnline: { 'zh-CN': '在线充值', en: 'Online top-up' },
  payKind_billPayment: { 'zh-CN': '缴费', en: 'Bill payment' },
  payKind_refund: { 'zh-CN': '退款', en: 'Refund' },
  payKind_other: { 'zh-CN': '其他', en: 'Other' },
  payReportLost: { 'zh-CN': '挂失一卡通', en: 'Report a lost card' },
  payReportLostHint: {
    'zh-CN': '卡片丢失？输入身份证号和登记的手机号，卡片立即冻结。',
    en: 'Lost your card? Enter your ID number and registered phone number: the card is blocked at once.',
  },
  payIdNumber: { 'zh-CN': '身份证号', en: 'ID number' },
  payPhone: { 'zh-CN': '手机号', en: 'Phone number' },
  payReportLostSubmit: { 'zh-CN': '确认挂失', en: 'Block my card' },
  payReportLostDone: {
    'zh-CN': '已挂失 {n} 张卡，卡片已冻结。请到服务站补办新卡，余额将转入新卡。',
    en: '{n} card(s) blocked. Get a replacement at the service station; your balance moves to the new card.',
  },
  payReportLostNone: {
    'zh-CN': '未找到可挂失的卡片（可能已挂失）。',
    en: 'No active card was found to block (it may already be blocked).',
  },
  // payment errors, by kind
  payError_cardUnknown: {
    'zh-CN': '这张卡未登记。请到社区服务站办理。',
    en: 'This card is not registered. Please ask at the service station.',
  },
  payError_cardBlocked: {
    'zh-CN': '这张卡已挂失或停用，不能缴费。请到社区服务站办理。',
    en: 'This card is blocked (reported lost or closed). Please go to the service station.',
  },
  payError_cardLocked: {
    'zh-CN': '密码错误次数过多，卡片已锁定。请到社区服务站解锁。',
    en: 'Too many wrong PINs: the card is locked. A clerk at the service station can unlock it.',
  },
  payError_wrongPin: {
    'zh-CN': '支付密码错误，请重新输入。连续错误 3 次卡片将被锁定。',
    en: 'Wrong PIN. Please try again — after 3 wrong PINs the card is locked.',
  },
  payError_insufficientBalance: {
    'zh-CN': '卡内余额不足。请少选几项，或到服务站充值。',
    en: 'Not enough balance on the card. Pay fewer bills, or top up at the service station.',
  },
  payError_dailyLimit: {
    'zh-CN': '超过本卡每日缴费限额，今天还可支付 {left}。',
    en: "This is over the card's daily limit: you can still pay {left} today.",
  },
  payError_billUnavailable: {
    'zh-CN': '账单已缴或已变更，列表已刷新。',
    en: 'A bill was already paid or has changed; the list has been refreshed.',
  },
  payError_unreachable: {
    'zh-CN': '暂时无法连接缴费服务器，没有扣款。请稍后再试。',
    en: 'The payment server cannot be reached right now. No money was taken. Please try again later.',
  },
  payError_unreachablePay: {
    'zh-CN': '暂时无法连接缴费服务器，本次缴费未确认。重试不会重复扣款。',
    en: 'The payment server cannot be reached, so the payment is not confirmed. Trying again never charges twice.',
  },
  payError_verificationFailed: {
    'zh-CN': '身份证号与手机号不匹配，请核对后重试。',
    en: 'The ID number and phone number do not match our records. Please check them.',
  },
  payError_other: {
    'zh-CN': '缴费暂时不可用，没有扣款。请到社区服务站办理。',
    en: 'Payment is not available right now and no money was taken. Please ask at the service station.',
  },
  payError_topUpUnavailable: {
    'zh-CN': '暂不支持在线充值，请到社区服务站现金充值。',
    en: 'Online top-up is not offered here. Please top up in cash at the service station.',
  },
  payError_topUpFailed: {
    'zh-CN': '支付未完成，没有扣款。可以重新充值。',
    en: 'The payment was not completed and no money was taken. You can start again.',
  },
  // online top-up (issue 7)
  payTopUp: { 'zh-CN': '在线充值', en: 'Top up online' },
  payTopUpChoose: { 'zh-CN': '请选择充值金额', en: 'Choose an amount' },
  payTopUpScan: { 'zh-CN': '请用手机扫码支付 {amount}', en: 'Scan with your phone to pay {amount}' },
  payTopUpScanHint: {
    'zh-CN': '在手机上完成支付后，余额自动更新。即使您已离开，款项也会充入本卡。',
    en: 'Once you pay on your phone the balance updates here. Even if you leave, the money reaches this card.',
  },
  payTopUpWaiting: { 'zh-CN': '等待手机支付…', en: 'Waiting for your payment…' },
  payTopUpQrLabel: { 'zh-CN': '充值支付二维码', en: 'QR code to pay the top-up' },
  payTopUpStarting: { 'zh-CN': '正在生成支付二维码…', en: 'Preparing the payment code…' },
  payTopUpDoneTitle: { 'zh-CN': '充值成功', en: 'Top-up complete' },
  payTopUpDoneAmount: { 'zh-CN': '已充值 {amount}', en: '{amount} added' },
  payTopUpBalancePending: {
    'zh-CN': '余额稍后更新，请重新读卡查看。',
    en: 'The balance updates shortly; tap your card again to see it.',
  },
  // the fleet's identify command
  identifyLabel: { 'zh-CN': '本机名称', en: 'This kiosk is' },
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

// Making an Intl.DateTimeFormat costs far more than formatting with one; every list item shows a date.
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A date as residents read it: 2026年11月20日 / 20 Nov 2026. */
export function formatDate(iso: string, locale: Locale): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(intlLocale(locale), {
      timeZone: DISPLAY_TIME_ZONE,
      year: 'numeric',
      month: locale === 'zh-CN' ? 'long' : 'short',
      day: 'numeric',
    });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(iso));
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
