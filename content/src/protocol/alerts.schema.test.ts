import { describe, expect, it } from 'vitest';
import { AlertWebhookV1, DeviceAlertsV1 } from './alerts.schema';

describe('AlertWebhookV1', () => {
  it('reads a minimal raise and a clear, with empty targets by default', () => {
    expect(AlertWebhookV1.parse({ action: 'raise', externalId: 'panel-1/zone-7', kind: 'fire' })).toEqual({
      action: 'raise',
      externalId: 'panel-1/zone-7',
      kind: 'fire',
    });
    expect(
      AlertWebhookV1.parse({ action: 'raise', externalId: 'x', kind: 'gas', target: { tags: [' Garage '] } }),
    ).toMatchObject({ target: { buildings: [], groups: [], tags: ['garage'] } });
    expect(AlertWebhookV1.parse({ action: 'clear', externalId: ' x ' })).toEqual({
      action: 'clear',
      externalId: 'x',
    });
  });

  it.each([
    ['an unknown action', { action: 'silence', externalId: 'x' }],
    ['an unknown kind', { action: 'raise', externalId: 'x', kind: 'earthquake' }],
    ['a severity not in the list', { action: 'raise', externalId: 'x', kind: 'fire', severity: 'panic' }],
    ['an external id with spaces', { action: 'raise', externalId: 'a b', kind: 'fire' }],
    ['an empty external id', { action: 'clear', externalId: '' }],
    [
      'a title over 80 characters',
      { action: 'raise', externalId: 'x', kind: 'fire', title: { en: 'x'.repeat(81) } },
    ],
    [
      'a lifetime over a week',
      { action: 'raise', externalId: 'x', kind: 'fire', ttlMinutes: 7 * 24 * 60 + 1 },
    ],
    ['21 tags', { action: 'raise', externalId: 'x', kind: 'fire', target: { tags: Array(21).fill('t') } }],
  ])('refuses %s', (_, body) => {
    expect(AlertWebhookV1.safeParse(body).success).toBe(false);
  });
});

describe('DeviceAlertsV1', () => {
  it('needs both languages of every text', () => {
    const alert = {
      id: 'a',
      kind: 'fire',
      severity: 'critical',
      title: { 'zh-CN': '火警', en: 'Fire alarm' },
      body: { 'zh-CN': '撤离', en: 'Leave' },
      raisedAt: '2026-11-25T02:00:00.000Z',
      expiresAt: '2026-11-25T04:00:00.000Z',
    };
    expect(DeviceAlertsV1.safeParse({ alerts: [alert], sentAt: alert.raisedAt }).success).toBe(true);
    const missing = { ...alert, title: { 'zh-CN': '火警' } };
    expect(DeviceAlertsV1.safeParse({ alerts: [missing], sentAt: alert.raisedAt }).success).toBe(false);
  });
});
