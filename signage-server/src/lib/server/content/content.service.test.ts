import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSignage, makePng } from '../testing/signage.fixture';
import type { ContentDraftInput } from './content.schema';
import { TEST_REVIEWER, publishReviewed } from './content-workflow.fixture';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
const editor = { id: 'u-editor', username: 'editor', displayName: 'Editor', roles: ['editor' as const] };
const reviewer = TEST_REVIEWER;
const draft = (over: Partial<ContentDraftInput> = {}): ContentDraftInput => ({
  id: 'water-outage',
  locale: 'zh-CN',
  category: 'services',
  title: '停水通知',
  summary: '周三上午停水',
  body: '# 停水\n\n周三 **9:00–12:00** 停水。',
  ...over,
});
const auditActions = () =>
  (
    signage.db.prepare('SELECT actor, action, target FROM audit_log ORDER BY id').all() as {
      action: string;
    }[]
  ).map((r) => r);

beforeEach(() => {
  signage = createTestSignage();
});
afterEach(() => signage.cleanup());

describe('ContentService.save', () => {
  it('creates a draft with the body rendered to safe HTML, and audits it', () => {
    const result = signage.content.save(
      draft({ body: 'Hi <script>alert(1)</script> [x](javascript:alert(1)) **bold**' }),
      editor,
      { mode: 'draft', create: true },
    );
    expect(result.ok).toBe(true);
    const stored = signage.content.get('water-outage', 'zh-CN');
    expect(stored).toMatchObject({ status: 'draft', version: 1, source: 'cms', createdBy: 'u-editor' });
    expect(stored?.bodyHtml).toContain('&lt;script&gt;');
    expect(stored?.bodyHtml).not.toContain('<script');
    expect(stored?.bodyHtml).not.toContain('javascript:');
    expect(stored?.bodyHtml).toContain('<strong>bold</strong>');
    expect(auditActions()).toEqual([
      { actor: 'editor', action: 'content.create', target: 'water-outage/zh-CN' },
    ]);
  });

  it('numbers versions: edits before publishing stay in one version, an edit after it starts the next', () => {
    const versions: [string, number, number | null][] = [];
    const record = () => {
      const r = signage.content.get('water-outage', 'zh-CN');
      versions.push([r?.status ?? '-', r?.version ?? 0, r?.publishedVersion ?? null]);
    };
    signage.content.save(draft(), editor, { mode: 'draft', create: true });
    signage.content.save(draft({ title: '停水通知！' }), editor, { mode: 'submit', create: false });
    record();
    signage.content.approve('water-outage', 'zh-CN', reviewer, { publish: true });
    record();
    signage.content.save(draft({ title: '停水通知（更新）' }), editor, { mode: 'draft', create: false });
    record();
    signage.content.archive('water-outage', 'zh-CN', editor);
    record();
    expect(versions).toEqual([
      ['draft', 1, null],
      ['published', 1, 1],
      ['published', 2, 1],
      ['unpublished', 2, null],
    ]);
    expect(auditActions().map((a) => a.action)).toEqual([
      'content.create',
      'content.submit',
      'content.approve-publish',
      'content.save-draft',
      'content.archive',
    ]);
  });

  it('tells listeners only about changes to what screens show', () => {
    let calls = 0;
    signage.content.onPublishedChange(() => (calls += 1));
    signage.content.save(draft(), editor, { mode: 'submit', create: true });
    expect(calls).toBe(0);
    signage.content.approve('water-outage', 'zh-CN', reviewer, { publish: true });
    expect(calls).toBe(1);
    // a new draft of a published item leaves the screens alone
    signage.content.save(draft({ title: '新' }), editor, { mode: 'submit', create: false });
    expect(calls).toBe(1);
    signage.content.approve('water-outage', 'zh-CN', reviewer, { publish: false });
    expect(calls).toBe(1);
    signage.content.publish('water-outage', 'zh-CN', reviewer);
    expect(calls).toBe(2);
    signage.content.archive('water-outage', 'zh-CN', editor);
    expect(calls).toBe(3);
    expect(signage.content.archive('water-outage', 'zh-CN', editor)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-transition' },
    }); // nothing on screens to take off
    expect(calls).toBe(3);
  });

  it('refuses invalid fields with their paths and i18n keys, storing nothing', () => {
    const result = signage.content.save(
      draft({
        id: 'Bad Id!',
        title: '  ',
        validFrom: '2026-12-02T00:00:00.000Z',
        validUntil: '2026-12-01T00:00:00.000Z',
      }),
      editor,
      { mode: 'submit', create: true },
    );
    expect(result.ok).toBe(false);
    if (result.ok || result.error.kind !== 'invalid') throw new Error('expected invalid');
    expect(result.error.issues.map((i) => i.path).sort()).toEqual(['id', 'title', 'validUntil']);
    expect(result.error.issues.find((i) => i.path === 'validUntil')?.message).toBe(
      'cms.error.validUntilBeforeFrom',
    );
    expect(signage.content.isEmpty()).toBe(true);
  });

  it('refuses images that are not stored assets, in the list or in the body', async () => {
    const unknown = 'a'.repeat(64);
    const listed = signage.content.save(draft({ images: [{ sha256: unknown, alt: '' }] }), editor, {
      mode: 'draft',
      create: true,
    });
    expect(!listed.ok && listed.error.kind === 'invalid' && listed.error.issues[0]?.path).toBe(
      'images.0.sha256',
    );
    const inBody = signage.content.save(draft({ body: `![x](asset:${unknown})` }), editor, {
      mode: 'draft',
      create: true,
    });
    expect(!inBody.ok && inBody.error.kind === 'invalid' && inBody.error.issues[0]?.path).toBe('body');

    const png = await signage.assets.upload(makePng());
    if (!png.ok) throw new Error('upload');
    const ok = signage.content.save(
      draft({ images: [{ sha256: png.value.sha256, alt: '图' }], body: `![图](asset:${png.value.sha256})` }),
      editor,
      { mode: 'draft', create: true },
    );
    expect(ok.ok).toBe(true);
    expect(signage.content.get('water-outage', 'zh-CN')?.bodyHtml).toContain(
      `src="asset:${png.value.sha256}"`,
    );
  });

  it('refuses a second create of the same id and locale, and a save over someone else’s newer save', () => {
    const created = signage.content.save(draft(), editor, { mode: 'draft', create: true });
    if (!created.ok) throw new Error('create');
    expect(signage.content.save(draft(), editor, { mode: 'draft', create: true })).toMatchObject({
      ok: false,
      error: { kind: 'conflict', field: 'id' },
    });
    const startedFrom = created.value.updatedAt;
    signage.content.save(draft({ title: 'A' }), editor, {
      mode: 'draft',
      create: false,
      expectedUpdatedAt: startedFrom,
    });
    const stale = signage.content.save(draft({ title: 'B' }), editor, {
      mode: 'draft',
      create: false,
      expectedUpdatedAt: startedFrom,
    });
    expect(stale).toMatchObject({ ok: false, error: { kind: 'conflict', field: 'updatedAt' } });
    expect(signage.content.get('water-outage', 'zh-CN')?.title).toBe('A');
  });
});

describe('ContentService.listGrouped', () => {
  it('puts the translations of an item side by side and filters by category, status and locale', () => {
    publishReviewed(signage.content, draft());
    signage.content.save(draft({ locale: 'en', title: 'Water outage' }), editor, {
      mode: 'draft',
      create: true,
    });
    signage.content.save(draft({ id: 'library', category: 'culture-education', title: '图书馆' }), editor, {
      mode: 'draft',
      create: true,
    });
    const all = signage.content.listGrouped({});
    const water = all.find((g) => g.id === 'water-outage');
    expect(water?.locales['zh-CN']?.status).toBe('published');
    expect(water?.locales.en?.title).toBe('Water outage');
    expect(signage.content.listGrouped({ category: 'culture-education' }).map((g) => g.id)).toEqual([
      'library',
    ]);
    expect(signage.content.listGrouped({ status: 'published' }).map((g) => g.id)).toEqual(['water-outage']);
    expect(signage.content.listGrouped({ locale: 'en' }).map((g) => g.id)).toEqual(['water-outage']);
    expect(signage.content.listGrouped({ q: '图书' }).map((g) => g.id)).toEqual(['library']);
  });
});
