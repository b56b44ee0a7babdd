import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage } from '../testing/signage.fixture';
import { contentFieldErrors, draftFromValues, readContentForm, valuesFromRecord } from './content-form';
import type { ContentDraftInput } from './content.schema';
import { targetOptions } from './content-targets';
import { AuditService } from '../audit/audit.service';
import { RegistryService } from '../registry/registry.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const editor = { id: 'u-editor', username: 'editor' };
const admin = { id: 'u-admin', username: 'admin' };
const draft = (over: Partial<ContentDraftInput> = {}): ContentDraftInput => ({
  id: 'morning',
  locale: 'zh-CN',
  category: 'services',
  title: '早间通知',
  ...over,
});

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('content schedules', () => {
  it('stores dayparts, priority and targeting in SQLite and reads them back (names lower-cased, unique)', () => {
    const saved = signage.content.save(
      draft({
        dayparts: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '09:00' }],
        priority: 80,
        target: {
          communities: ['xingfuli'],
          buildings: ['b1', 'b1'],
          groups: ['Lobby'],
          tags: ['Touch', 'touch'],
        },
      }),
      editor,
      { mode: 'submit', create: true },
    );
    expect(saved.ok).toBe(true);
    const row = signage.db
      .prepare("SELECT dayparts, priority, target FROM content_items WHERE id = 'morning'")
      .get() as { dayparts: string; priority: number; target: string };
    expect(JSON.parse(row.dayparts)).toEqual([{ days: [1, 2, 3, 4, 5], start: '07:00', end: '09:00' }]);
    expect(row.priority).toBe(80);
    expect(JSON.parse(row.target)).toEqual({
      communities: ['xingfuli'],
      buildings: ['b1'],
      groups: ['lobby'],
      tags: ['touch'],
    });
    expect(signage.content.get('morning', 'zh-CN')).toMatchObject({
      priority: 80,
      target: { groups: ['lobby'] },
    });
    // an item saved without a schedule plays always, everywhere
    signage.content.save(draft({ id: 'plain' }), editor, { mode: 'draft', create: true });
    expect(signage.content.get('plain', 'zh-CN')).toMatchObject({
      dayparts: [],
      priority: 50,
      target: { communities: [], buildings: [], groups: [], tags: [] },
    });
  });

  it.each([
    ['a slot with no day', { dayparts: [{ days: [], start: '07:00', end: '09:00' }] }, 'dayparts.0.days'],
    ['a time out of range', { dayparts: [{ days: [1], start: '24:00', end: '09:00' }] }, 'dayparts.0.start'],
    ['a weekday 8', { dayparts: [{ days: [8], start: '07:00', end: '09:00' }] }, 'dayparts.0.days.0'],
    ['priority 101', { priority: 101 }, 'priority'],
    ['a tag with a comma', { target: { tags: ['a,b'] } }, 'target.tags.0'],
  ])('refuses %s and writes nothing', (_, over, path) => {
    const result = signage.content.save(draft(over as Partial<ContentDraftInput>), editor, {
      mode: 'submit',
      create: true,
    });
    expect(result.ok).toBe(false);
    if (result.ok || result.error.kind !== 'invalid') throw new Error('expected invalid');
    expect(result.error.issues.map((issue) => issue.path)).toContain(path);
    expect(signage.content.get('morning', 'zh-CN')).toBeNull();
  });

  it('maps schedule issues to one message per daypart row and field', () => {
    const result = signage.content.save(
      draft({
        dayparts: [
          { days: [1], start: '07:00', end: '09:00' },
          { days: [], start: '7', end: '09:00' },
        ],
        target: { tags: ['a,b'] },
      }),
      editor,
      { mode: 'submit', create: true },
    );
    if (result.ok) throw new Error('expected a refusal');
    expect(contentFieldErrors(result.error)).toEqual({
      'dayparts.1': { key: 'cms.error.daypartDays' },
      target: { key: 'cms.error.targetComma', params: { max: 0 } },
    });
  });
});

describe('the content form (plain POST)', () => {
  const formOf = (fields: [string, string][]) => {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    return form;
  };

  it('reads daypart rows, drops the blank spare row and removed rows, and merges typed tags', () => {
    const values = readContentForm(
      formOf([
        ['id', 'morning'],
        ['locale', 'zh-CN'],
        ['category', 'services'],
        ['title', '早间'],
        ['daypart.0.days', '1'],
        ['daypart.0.days', '5'],
        ['daypart.0.start', '07:00'],
        ['daypart.0.end', '09:00'],
        ['daypart.1.days', '6'],
        ['daypart.1.start', '10:00'],
        ['daypart.1.end', '11:00'],
        ['daypart.1.remove', '1'],
        ['daypart.2.start', ''],
        ['daypart.2.end', ''],
        ['daypart.10.days', '7'],
        ['daypart.10.start', '22:00'],
        ['daypart.10.end', '02:00'],
        ['priority', '70'],
        ['target.groups', 'lobby'],
        ['target.tags', 'touch'],
        ['extraTags', 'Outdoor，touch, night'],
      ]),
    );
    expect(values.dayparts).toEqual([
      { days: [1, 5], start: '07:00', end: '09:00' },
      { days: [7], start: '22:00', end: '02:00' },
    ]);
    const parsed = draftFromValues(values);
    if (!parsed.ok) throw new Error('expected a draft');
    expect(parsed.input.priority).toBe(70);
    expect(parsed.input.target).toEqual({
      communities: [],
      buildings: [],
      groups: ['lobby'],
      tags: ['touch', 'outdoor', 'night'],
    });
    const saved = signage.content.save(parsed.input, editor, { mode: 'submit', create: true });
    if (!saved.ok) throw new Error(JSON.stringify(saved.error));
    // what the edit page shows after the save
    expect(valuesFromRecord(saved.value)).toMatchObject({
      dayparts: values.dayparts,
      priority: '70',
      target: { groups: ['lobby'], tags: ['touch', 'outdoor', 'night'] },
      extraTags: '',
    });
  });

  it.each(['-1', '101', '5.5', 'abc'])('refuses priority %s with its own message', (priority) => {
    const values = readContentForm(
      formOf([
        ['id', 'p'],
        ['category', 'services'],
        ['title', '优先级'],
        ['priority', priority],
      ]),
    );
    const parsed = draftFromValues(values);
    if (!parsed.ok) throw new Error('dates are fine: the service judges the priority');
    const saved = signage.content.save(parsed.input, editor, { mode: 'draft', create: true });
    if (saved.ok) throw new Error('expected a refusal');
    expect(contentFieldErrors(saved.error)).toEqual({ priority: { key: 'cms.error.priority' } });
    expect(signage.content.get('p', 'zh-CN')).toBeNull();
  });
});

describe('targetOptions', () => {
  it('offers registry communities and buildings, and the groups and tags of active devices', () => {
    signage.db.exec(`
      INSERT INTO communities (id, name, name_en, created_at) VALUES ('xfl', '幸福里', 'Xingfuli', 'x');
      INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b1', 'xfl', '1', '1号楼', 6);
    `);
    const enroll = (name: string, group: string, tags: string) => {
      const code = signage.devices.createPairingCode({ deviceName: name }, admin);
      if (!code.ok) throw new Error('code');
      const enrolled = signage.devices.enroll(
        { pairingCode: code.value.code, name, platform: 'linux', appVersion: '0.1.0' },
        signage.keys.publicKeyBase64,
      );
      if (!enrolled.ok) throw new Error('enrol');
      signage.devices.update(enrolled.value.deviceId, { name, communityId: '', group, tags }, admin);
      return enrolled.value.deviceId;
    };
    enroll('a', 'lobby', 'touch, portrait');
    enroll('b', 'gate', 'touch');
    signage.devices.revoke(enroll('c', 'gone', 'old'), admin);
    const registry = new RegistryService({
      db: signage.db,
      clock: signage.clock,
      keys: signage.keys,
      audit: new AuditService(signage.db, signage.clock),
    });
    expect(targetOptions({ registry, devices: signage.devices })).toEqual({
      communities: [{ id: 'xfl', name: '幸福里', nameEn: 'Xingfuli' }],
      buildings: [{ id: 'b1', communityId: 'xfl', code: '1', name: '1号楼' }],
      groups: ['gate', 'lobby'],
      tags: ['portrait', 'touch'],
    });
  });
});
