import type { Messages } from '../index';

/** The audit log page. */
export const audit: Messages = {
  'zh-CN': {
    'audit.title': '审计日志',
    'audit.subtitle': '登录、用户与角色变更、房屋档案修改、导入、内容发布和终端操作的完整记录。',
    'audit.col.at': '时间',
    'audit.col.actor': '操作人',
    'audit.col.action': '操作',
    'audit.col.target': '对象',
    'audit.col.detail': '详情',
    'audit.filter.actor': '操作人',
    'audit.filter.action': '操作（前缀，如 auth.）',
    'audit.filter.submit': '筛选',
    'audit.filter.clear': '清除',
    'audit.empty': '没有符合条件的记录。',
    'audit.total': '共 {total} 条',
    'audit.page': '第 {page} / {pages} 页',
    'audit.prev': '上一页',
    'audit.next': '下一页',
  },
  en: {
    'audit.title': 'Audit log',
    'audit.subtitle':
      'Every sign-in, user and role change, registry edit, import, content publication and device action.',
    'audit.col.at': 'Time',
    'audit.col.actor': 'Actor',
    'audit.col.action': 'Action',
    'audit.col.target': 'Target',
    'audit.col.detail': 'Detail',
    'audit.filter.actor': 'Actor',
    'audit.filter.action': 'Action (prefix, e.g. auth.)',
    'audit.filter.submit': 'Filter',
    'audit.filter.clear': 'Clear',
    'audit.empty': 'No entries match.',
    'audit.total': 'Total: {total}',
    'audit.page': 'Page {page} of {pages}',
    'audit.prev': 'Previous',
    'audit.next': 'Next',
  },
};
