import type { Locale } from '@linli/content';

/** The emergency alert overlay's strings (issue 4), merged into `messages` (i18n.ts). */
export const alertMessages = {
  alertLabel: { 'zh-CN': '紧急警报', en: 'Emergency alert' },
  alertSeverityCritical: { 'zh-CN': '紧急', en: 'Critical' },
  alertSeverityWarning: { 'zh-CN': '警告', en: 'Warning' },
  alertSeverityInfo: { 'zh-CN': '提示', en: 'Notice' },
  alertRaisedAt: { 'zh-CN': '发布时间 {time}', en: 'Issued at {time}' },
  alertMore: { 'zh-CN': '另有 {n} 条警报', en: '{n} more alerts' },
  alertMoreOne: { 'zh-CN': '另有 1 条警报', en: '1 more alert' },
  alertFollowStaff: {
    'zh-CN': '请听从工作人员指挥。警报解除后本屏幕自动恢复。',
    en: 'Follow the instructions of the staff. This screen returns by itself when the alert is cleared.',
  },
} satisfies Record<string, Record<Locale, string>>;
