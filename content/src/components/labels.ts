import type { Locale } from '../categories';
import type { ContentKind, PlaceKind } from '../content-kind.schema';

/** Names of the kinds, for the CMS selector and lists. */
export const KIND_NAMES: Record<ContentKind, Record<Locale, string>> = {
  notice: { 'zh-CN': '图文通知', en: 'Notice' },
  image: { 'zh-CN': '图片', en: 'Image' },
  video: { 'zh-CN': '视频', en: 'Video' },
  pdf: { 'zh-CN': 'PDF 文档', en: 'PDF document' },
  ticker: { 'zh-CN': '滚动字幕', en: 'Ticker' },
  qr: { 'zh-CN': '二维码', en: 'QR code' },
  place: { 'zh-CN': '社区引导地点', en: 'Community guide place' },
  provider: { 'zh-CN': '服务商公示', en: 'Service provider' },
};

/** Names of the kinds of place (§6.2.1-5). */
export const PLACE_KIND_NAMES: Record<PlaceKind, Record<Locale, string>> = {
  dining: { 'zh-CN': '餐饮', en: 'Dining' },
  shop: { 'zh-CN': '商店', en: 'Shop' },
  market: { 'zh-CN': '菜市场', en: 'Market' },
  clinic: { 'zh-CN': '诊所', en: 'Clinic' },
  pharmacy: { 'zh-CN': '药店', en: 'Pharmacy' },
  service: { 'zh-CN': '便民服务', en: 'Services' },
  other: { 'zh-CN': '其他', en: 'Other' },
};

const LABELS = {
  attachments: { 'zh-CN': '附件', en: 'Attachments' },
  attachmentHint: {
    'zh-CN': '扫描右上角二维码在手机上查看',
    en: 'Scan the code at the top to read it on your phone',
  },
  pdfPage: { 'zh-CN': '第 {page} / {pages} 页', en: 'Page {page} of {pages}' },
  pdfPrevious: { 'zh-CN': '上一页', en: 'Previous page' },
  pdfNext: { 'zh-CN': '下一页', en: 'Next page' },
  pdfLoading: { 'zh-CN': '正在打开文档…', en: 'Opening the document…' },
  pdfFailed: { 'zh-CN': '文档无法打开', en: 'The document cannot be opened' },
  qrTitle: { 'zh-CN': '用手机打开', en: 'Open on your phone' },
  qrHint: { 'zh-CN': '用手机相机扫描二维码', en: 'Scan the code with your phone camera' },
  hours: { 'zh-CN': '营业时间', en: 'Opening hours' },
  phone: { 'zh-CN': '电话', en: 'Phone' },
  address: { 'zh-CN': '地址', en: 'Address' },
  map: { 'zh-CN': '位置图', en: 'Map' },
  service: { 'zh-CN': '服务内容', en: 'Service' },
  contact: { 'zh-CN': '联系电话', en: 'Contact' },
  licence: { 'zh-CN': '资质证号', en: 'Licence no.' },
  rating: { 'zh-CN': '居民评价', en: 'Residents’ rating' },
  ratingSummary: { 'zh-CN': '{average} 分 · {count} 人评价', en: '{average} of 5 · {count} ratings' },
  ratingNone: { 'zh-CN': '暂无评价', en: 'No ratings yet' },
  rateThis: { 'zh-CN': '您的评价', en: 'Your rating' },
  rateStar: { 'zh-CN': '{score} 星', en: '{score} stars' },
  rateThanks: { 'zh-CN': '谢谢您的评价！', en: 'Thank you for your rating!' },
  rateFailed: {
    'zh-CN': '评价未能提交，请稍后再试',
    en: 'Your rating could not be sent; please try again later',
  },
  videoUnsupported: { 'zh-CN': '此视频无法播放', en: 'This video cannot be played' },
} as const satisfies Record<string, Record<Locale, string>>;

/** A label of the content components in the locale, with `{name}` placeholders filled in. */
export function contentLabel(
  locale: Locale,
  key: keyof typeof LABELS,
  params: Record<string, string | number> = {},
): string {
  return LABELS[key][locale].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
