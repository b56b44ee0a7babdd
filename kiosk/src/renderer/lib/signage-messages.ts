/** Strings of signage mode and the clock zone (zh-CN first: the default and the fallback). */
export const signageMessages = {
  signageWaiting: { 'zh-CN': '正在准备播放内容…', en: 'Getting the programme ready…' },
  signageNoLayout: {
    'zh-CN': '此屏幕尚未分配布局，请在管理后台“布局”中设置。',
    en: 'No layout is assigned to this screen yet: set one under Layouts in the CMS.',
  },
  signageLabel: { 'zh-CN': '信息发布屏', en: 'Information screen' },
} as const;
