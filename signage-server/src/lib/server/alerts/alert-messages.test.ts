import { ALERT_KINDS, ALERT_SEVERITIES } from '@linli/content';
import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/index';
import { alerts } from '../../i18n/messages/alerts';

describe('alert messages', () => {
  it('has every key in zh-CN and English, none empty', () => {
    expect(Object.keys(alerts.en).sort()).toEqual(Object.keys(alerts['zh-CN']).sort());
    for (const locale of ['zh-CN', 'en'] as const)
      for (const [key, text] of Object.entries(alerts[locale]))
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
  });

  it('names every kind, severity and state, and is registered with the catalogue', () => {
    const keys = [
      ...ALERT_KINDS.map((kind) => `alerts.kind.${kind}`),
      ...ALERT_SEVERITIES.map((severity) => `alerts.severity.${severity}`),
      ...['active', 'cleared', 'expired'].map((state) => `alerts.state.${state}`),
      'nav.alerts',
    ];
    for (const key of keys) {
      expect(translate('zh-CN', key), key).not.toBe(key);
      expect(translate('en', key), key).not.toBe(key);
    }
  });
});
