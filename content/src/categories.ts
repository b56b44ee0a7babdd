import { z } from 'zod';

/** The six categories of 民情互动 (seed §6.2.1) followed by the seed's topic channels (§5.4.5, §5.4.6, §5.5.1, §5.5.2). */
export const CATEGORY_IDS = [
  'government',
  'services',
  'investment',
  'interaction',
  'guide',
  'supervision',
  'family-planning',
  'culture-education',
  'legal',
  'science',
] as const;

/** A content category id. */
export const CategoryId = z.enum(CATEGORY_IDS);
export type CategoryId = z.infer<typeof CategoryId>;

/** UI languages; zh-CN is the default and the fallback for missing translations. */
export const LOCALES = ['zh-CN', 'en'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Text in every UI language. */
export type LocalizedText = Record<Locale, string>;

/** How a category is presented: its group, where the seed defines it, and its names. */
export interface CategoryInfo {
  id: CategoryId;
  group: 'minqing' | 'channel';
  /** Section of the smart-community guide the category comes from. */
  section: string;
  name: LocalizedText;
  description: LocalizedText;
}

/** Display data for every category, in home-screen order. */
export const CATEGORIES: readonly CategoryInfo[] = [
  {
    id: 'government',
    group: 'minqing',
    section: '6.2.1-1',
    name: { 'zh-CN': '政务信息', en: 'Government' },
    description: { 'zh-CN': '政策法规、办事指南、政务公开', en: 'Policies, procedures and public affairs' },
  },
  {
    id: 'services',
    group: 'minqing',
    section: '6.2.1-2',
    name: { 'zh-CN': '服务信息', en: 'Services' },
    description: {
      'zh-CN': '便民服务、就业社保、生活缴费',
      en: 'Everyday services, jobs and social security',
    },
  },
  {
    id: 'investment',
    group: 'minqing',
    section: '6.2.1-3',
    name: { 'zh-CN': '招商信息', en: 'Investment' },
    description: { 'zh-CN': '招商项目、商铺租赁、优惠政策', en: 'Projects, shop leases and incentives' },
  },
  {
    id: 'interaction',
    group: 'minqing',
    section: '6.2.1-4',
    name: { 'zh-CN': '网上互动', en: 'Online interaction' },
    description: { 'zh-CN': '民意征集、投诉建议、在线咨询', en: 'Surveys, suggestions and questions' },
  },
  {
    id: 'guide',
    group: 'minqing',
    section: '6.2.1-5',
    name: { 'zh-CN': '社区引导', en: 'Community guide' },
    description: { 'zh-CN': '周边餐饮、商店、医疗与出行', en: 'Nearby dining, shops, clinics and transport' },
  },
  {
    id: 'supervision',
    group: 'minqing',
    section: '6.2.1-6',
    name: { 'zh-CN': '监督公开', en: 'Supervision' },
    description: { 'zh-CN': '服务评价、财务公开、监督投诉', en: 'Ratings, open accounts and oversight' },
  },
  {
    id: 'family-planning',
    group: 'channel',
    section: '5.4.5',
    name: { 'zh-CN': '计划生育', en: 'Family planning' },
    description: { 'zh-CN': '生育服务、优生优育、政策咨询', en: 'Birth services, healthy families, policy' },
  },
  {
    id: 'culture-education',
    group: 'channel',
    section: '5.4.6',
    name: { 'zh-CN': '文体教育', en: 'Culture & education' },
    description: { 'zh-CN': '文体活动、社区学校、场馆预约', en: 'Activities, community school, venues' },
  },
  {
    id: 'legal',
    group: 'channel',
    section: '5.5.1',
    name: { 'zh-CN': '法律服务', en: 'Legal services' },
    description: { 'zh-CN': '法律咨询、人民调解、法律援助', en: 'Legal advice, mediation and legal aid' },
  },
  {
    id: 'science',
    group: 'channel',
    section: '5.5.2',
    name: { 'zh-CN': '科普宣传', en: 'Science' },
    description: { 'zh-CN': '健康知识、安全常识、科学生活', en: 'Health, safety and science for daily life' },
  },
];

/** Looks up the display data of a category. */
export function categoryInfo(id: CategoryId): CategoryInfo {
  const info = CATEGORIES.find((c) => c.id === id);
  if (!info) throw new Error(`unknown category ${id}`); // unreachable: CategoryId is a closed enum
  return info;
}
