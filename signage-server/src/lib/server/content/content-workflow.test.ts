import { ContentItem, ManifestV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '../auth/roles';
import { createTestSignage } from '../testing/signage.fixture';
import type { ContentDraftInput } from './content.schema';
import { TEST_EDITOR as editor, TEST_REVIEWER as reviewer } from './content-workflow.fixture';
import { versionDiff } from './content-diff';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const admin: SessionUser = { id: 'u-admin', username: 'admin', displayName: 'Admin', roles: ['admin'] };
const reviewer2: SessionUser = {
  id: 'u-rev2',
  username: 'reviewer2',
  displayName: 'R2',
  roles: ['reviewer'],
};
const device = { id: 'd1', name: 'Lobby', communityId: null };
const ID = 'water-outage';
const draft = (over: Partial<ContentDraftInput> = {}): ContentDraftInput => ({
  id: ID,
  locale: 'zh-CN',
  category: 'services',
  title: '停水通知',
  summary: '周三上午停水',
  body: '周三 9:00–12:00 停水。\n请提前储水。',
  ...over,
});
/** What the kiosk gets: titles of the device's manifest. */
const onScreen = () =>
  ManifestV1.parse(JSON.parse(signage.manifests.forDevice(device).body.toString('utf8'))).items.map(
    (item) => `${item.title} v${item.version}`,
  );
const state = () => signage.content.workingState(ID, 'zh-CN');
const audit = () =>
  (
    signage.db
      .prepare(`SELECT actor, action, detail FROM audit_log WHERE target = ? ORDER BY id`)
      .all(`${ID}/zh-CN`) as { actor: string; action: string; detail: string }[]
  ).map((row) => ({ actor: row.actor, action: row.action, ...(JSON.parse(row.detail) as object) }));

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('content workflow', () => {
  it('runs draft → submitted → approved → published with a reviewer who is not the author, audited', () => {
    expect(signage.content.save(draft(), editor, { mode: 'draft', create: true }).ok).toBe(true);
    expect(state()).toBe('draft');
    expect(signage.content.submit(ID, 'zh-CN', editor)).toMatchObject({
      ok: true,
      value: { state: 'submitted' },
    });
    expect(onScreen()).toEqual([]);
    expect(signage.content.approve(ID, 'zh-CN', reviewer, { publish: false })).toMatchObject({
      ok: true,
      value: { state: 'approved', reviewedByName: null },
    });
    expect(onScreen()).toEqual([]);
    expect(signage.content.publish(ID, 'zh-CN', reviewer)).toMatchObject({
      ok: true,
      value: { state: 'published' },
    });
    expect(onScreen()).toEqual(['停水通知 v1']);
    expect(audit()).toEqual([
      expect.objectContaining({ actor: 'editor', action: 'content.create', version: 1, to: 'draft' }),
      expect.objectContaining({
        actor: 'editor',
        action: 'content.submit',
        version: 1,
        from: 'draft',
        to: 'submitted',
      }),
      expect.objectContaining({
        actor: 'reviewer',
        action: 'content.approve',
        from: 'submitted',
        to: 'approved',
      }),
      expect.objectContaining({
        actor: 'reviewer',
        action: 'content.publish',
        from: 'approved',
        to: 'published',
      }),
    ]);
  });

  it('never lets the author of a version approve or reject it, not even an admin, and refuses editors', () => {
    signage.content.save(draft(), admin, { mode: 'submit', create: true });
    for (const attempt of [
      signage.content.approve(ID, 'zh-CN', admin, { publish: true }),
      signage.content.reject(ID, 'zh-CN', admin, 'self'),
    ]) {
      expect(attempt).toMatchObject({ ok: false, error: { kind: 'forbidden', reason: 'own-version' } });
    }
    // an editor may not approve anyone's version, nor publish
    expect(signage.content.approve(ID, 'zh-CN', editor, { publish: true })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', reason: 'role' },
    });
    expect(signage.content.allowedActions(ID, 'zh-CN', admin)).not.toContain('approve-publish');
    expect(signage.content.allowedActions(ID, 'zh-CN', reviewer)).toEqual([
      'approve-publish',
      'approve',
      'reject',
    ]);
    expect(state()).toBe('submitted');
    expect(onScreen()).toEqual([]);

    // a reviewer who edits the version becomes one of its authors too
    signage.content.save(draft({ title: '停水通知（改）' }), reviewer, { mode: 'submit', create: false });
    expect(signage.content.approve(ID, 'zh-CN', reviewer, { publish: true })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', reason: 'own-version' },
    });
    expect(signage.content.approve(ID, 'zh-CN', reviewer2, { publish: true }).ok).toBe(true);
    expect(onScreen()).toEqual(['停水通知（改） v1']);
  });

  it('refuses transitions that do not start from the current state, with a named error and no change', () => {
    signage.content.save(draft(), editor, { mode: 'draft', create: true });
    expect(signage.content.approve(ID, 'zh-CN', reviewer, { publish: true })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition', from: 'draft', action: 'approve' },
    });
    expect(signage.content.publish(ID, 'zh-CN', reviewer)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition', from: 'draft', action: 'publish' },
    });
    expect(signage.content.reject(ID, 'zh-CN', reviewer, 'no')).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition' },
    });
    signage.content.submit(ID, 'zh-CN', editor);
    expect(signage.content.submit(ID, 'zh-CN', editor)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition', from: 'submitted' },
    });
    expect(signage.content.submit('nope', 'zh-CN', editor)).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(state()).toBe('submitted');
    expect(audit().map((entry) => entry.action)).toEqual(['content.create', 'content.submit']);
  });

  it('rejects with a required reason; the author edits and resubmits; an edit after approval needs a new review', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    expect(signage.content.reject(ID, 'zh-CN', reviewer, '   ')).toMatchObject({
      ok: false,
      error: { kind: 'invalid', issues: [{ path: 'reason' }] },
    });
    expect(signage.content.reject(ID, 'zh-CN', reviewer, '时间写错了')).toMatchObject({
      ok: true,
      value: { state: 'rejected', reason: '时间写错了' },
    });
    expect(signage.content.allowedActions(ID, 'zh-CN', editor)).toEqual(['submit']);
    signage.content.save(draft({ body: '周四 9:00–12:00 停水。' }), editor, {
      mode: 'submit',
      create: false,
    });
    expect(state()).toBe('submitted');
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: false });
    // the approval held for the approved text only
    signage.content.save(draft({ body: '改了' }), editor, { mode: 'draft', create: false });
    expect(state()).toBe('draft');
    expect(signage.content.publish(ID, 'zh-CN', reviewer)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition', from: 'draft' },
    });
    expect(signage.content.versionsOf(ID, 'zh-CN').map((v) => v.version)).toEqual([1]);
    expect(audit()).toContainEqual(
      expect.objectContaining({
        action: 'content.reject',
        from: 'submitted',
        to: 'rejected',
        reason: '时间写错了',
      }),
    );
  });

  it('keeps the published version on screens while the next version is edited, until that is published', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    expect(onScreen()).toEqual(['停水通知 v1']);

    signage.content.save(draft({ title: '停水通知（延长）' }), editor, { mode: 'draft', create: false });
    expect(signage.content.get(ID, 'zh-CN')).toMatchObject({
      title: '停水通知（延长）',
      version: 2,
      status: 'published',
      publishedVersion: 1,
    });
    expect(onScreen()).toEqual(['停水通知 v1']);
    signage.content.submit(ID, 'zh-CN', editor);
    expect(onScreen()).toEqual(['停水通知 v1']);
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    expect(onScreen()).toEqual(['停水通知（延长） v2']);
    expect(signage.content.versionsOf(ID, 'zh-CN').map((v) => [v.version, v.state])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ]);
    // the old version is an immutable snapshot: its text did not follow the edit
    expect(signage.content.getVersion(ID, 'zh-CN', 1)?.record.title).toBe('停水通知');
  });

  it('rolls back: the earlier version becomes a new submitted version that another reviewer publishes', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    signage.content.save(draft({ title: '错误通知', priority: 90, target: { tags: ['lobby'] } }), editor, {
      mode: 'submit',
      create: false,
    });
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    expect(onScreen()).toEqual([]); // v2 targets lobby-tagged devices only

    let heard = 0;
    signage.content.onPublishedChange(() => (heard += 1));
    const rolled = signage.content.rollback(ID, 'zh-CN', 1, reviewer);
    expect(rolled).toMatchObject({ ok: true, value: { version: 3, state: 'submitted', basedOn: 1 } });
    expect(heard).toBe(0); // nothing changes on screens before the review
    expect(signage.content.get(ID, 'zh-CN')).toMatchObject({
      title: '停水通知',
      priority: 50,
      target: { tags: [] },
      version: 3,
      publishedVersion: 2,
    });
    // whoever rolled back is the author of the rollback
    expect(signage.content.approve(ID, 'zh-CN', reviewer, { publish: true })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', reason: 'own-version' },
    });
    expect(signage.content.approve(ID, 'zh-CN', reviewer2, { publish: true }).ok).toBe(true);
    expect(heard).toBe(1);
    expect(onScreen()).toEqual(['停水通知 v3']);
    expect(signage.content.rollback(ID, 'zh-CN', 3, editor)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition', action: 'rollback' },
    });
    expect(signage.content.rollback(ID, 'zh-CN', 9, editor)).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(audit()).toContainEqual(
      expect.objectContaining({
        actor: 'reviewer',
        action: 'content.rollback',
        version: 3,
        basedOn: 1,
        to: 'submitted',
      }),
    );
  });

  it('archives the live version at once (one person), leaving the working version in the CMS', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    signage.content.save(draft({ title: '下一版' }), editor, { mode: 'draft', create: false });
    expect(signage.content.archive(ID, 'zh-CN', editor)).toMatchObject({
      ok: true,
      value: { version: 1, state: 'archived' },
    });
    expect(onScreen()).toEqual([]);
    expect(signage.content.get(ID, 'zh-CN')).toMatchObject({
      status: 'unpublished',
      publishedVersion: null,
      version: 2,
    });
    expect(state()).toBe('draft');
  });

  it('imports pack content as published version 1 with no author', () => {
    const inserted = signage.content.importPublished(
      [
        ContentItem.parse({
          id: 'clinic',
          locale: 'zh-CN',
          category: 'guide',
          title: '社区诊所',
          summary: '',
          body: '',
          images: [],
          validFrom: null,
          validUntil: null,
          version: 1,
          updatedAt: '2026-11-01T00:00:00.000Z',
        }),
      ],
      'pack',
    );
    expect(inserted).toBe(1);
    expect(signage.content.versionsOf('clinic', 'zh-CN')).toMatchObject([
      { version: 1, state: 'published', authorId: null },
    ]);
    expect(onScreen()).toEqual(['社区诊所 v1']);
  });

  it('lists items with their workflow state and filters by it, expired included', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    signage.content.save(draft({ id: 'old', validUntil: '2026-11-25T01:00:00.000Z' }), editor, {
      mode: 'submit',
      create: true,
    });
    signage.content.approve('old', 'zh-CN', reviewer, { publish: true });
    expect(signage.content.listGrouped({ status: 'submitted' }).map((g) => g.id)).toEqual([ID]);
    expect(signage.content.listGrouped({ status: 'expired' }).map((g) => g.id)).toEqual(['old']);
    expect(signage.content.listGrouped({}).find((g) => g.id === ID)?.locales['zh-CN']?.state).toBe(
      'submitted',
    );
  });
});

describe('versionDiff', () => {
  it('diffs title, summary and body by line and lists schedule and targeting changes', () => {
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    signage.content.approve(ID, 'zh-CN', reviewer, { publish: true });
    signage.content.save(
      draft({ body: '周三 9:00–12:00 停水。\n请多备水。', priority: 80, target: { tags: ['lobby'] } }),
      editor,
      { mode: 'draft', create: false },
    );
    const [v2, v1] = signage.content.versionsOf(ID, 'zh-CN');
    const diff = versionDiff(v1!.record, v2!.record);
    expect(diff.text).toEqual([
      {
        field: 'body',
        lines: [
          { kind: 'same', text: '周三 9:00–12:00 停水。' },
          { kind: 'removed', text: '请提前储水。' },
          { kind: 'added', text: '请多备水。' },
        ],
      },
    ]);
    expect(diff.fields).toEqual([
      { field: 'priority', before: '50', after: '80' },
      { field: 'target', before: '—', after: 'tags: lobby' },
    ]);
    expect(versionDiff(null, v1!.record).text.map((t) => t.field)).toEqual(['title', 'summary', 'body']);
  });
});
