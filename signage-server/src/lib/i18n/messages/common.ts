import type { Messages } from '../index';

/** Strings shared by every CMS page. */
export const common: Messages = {
  'zh-CN': {
    'app.name': '邻里',
    'app.tagline': '社区信息屏与自助终端',
    'nav.content': '内容',
    'nav.registry': '房屋档案',
    'nav.devices': '终端',
    'nav.users': '用户',
    'nav.logout': '退出登录',
    'action.save': '保存',
    'action.cancel': '取消',
    'action.delete': '删除',
    'action.edit': '编辑',
    'action.create': '新建',
    'error.forbidden': '您没有权限执行此操作。',
    'error.notFound': '找不到该页面。',
  },
  en: {
    'app.name': 'Linli',
    'app.tagline': 'Community signage and kiosks',
    'nav.content': 'Content',
    'nav.registry': 'Property registry',
    'nav.devices': 'Devices',
    'nav.users': 'Users',
    'nav.logout': 'Log out',
    'action.save': 'Save',
    'action.cancel': 'Cancel',
    'action.delete': 'Delete',
    'action.edit': 'Edit',
    'action.create': 'New',
    'error.forbidden': 'You are not allowed to do this.',
    'error.notFound': 'Page not found.',
  },
};
