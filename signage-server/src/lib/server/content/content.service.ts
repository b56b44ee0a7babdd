import crypto from 'node:crypto';
import { ASSET_REF_PATTERN, renderMarkdown, type ContentItem, type Locale } from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { SessionUser } from '../auth/roles';
import type { Clock } from '../clock';
import type { ContentRepository } from './content.repository';
import {
  ContentDraft,
  type ContentDraftInput,
  type ContentFieldIssue,
  type ContentFilter,
  type ContentRecord,
  type ContentResult,
} from './content.schema';

/** What the content service needs to know about assets: which hashes exist. */
export interface AssetLookup {
  getMany(hashes: readonly string[]): { sha256: string }[];
}

/** Who makes a change: a signed-in user, or null for the system (pack import). */
export type Actor = Pick<SessionUser, 'id' | 'username'> | null;

/** How a save ends: as a draft (off screens) or published (on screens, version bumped). */
export type SaveMode = 'draft' | 'publish';

/** One item with its translations side by side, as the CMS list shows it. */
export interface ContentGroup {
  id: string;
  category: ContentRecord['category'];
  locales: Partial<Record<Locale, ContentRecord>>;
}

/** Every `asset:<sha256>` image a Markdown body references. */
export function bodyAssetRefs(body: string): string[] {
  const refs = new Set<string>();
  for (const match of body.matchAll(/asset:([0-9a-f]{64})/g)) {
    if (match[1] && ASSET_REF_PATTERN.test(`asset:${match[1]}`)) refs.add(match[1]);
  }
  return [...refs];
}

/**
 * Content items in the CMS: create, edit, publish, unpublish, list. The rules: Markdown is rendered on save by
 * the same safe renderer the kiosk uses; every image an item names must be a stored asset; the version rises
 * with every publish; every change is audited in the same transaction; listeners hear about changes to what
 * screens show only after the commit.
 */
export class ContentService {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly repository: ContentRepository,
    private readonly assets: AssetLookup,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
  ) {}

  /** Calls `listener` after every committed change to published content. Returns the unsubscribe function. */
  onPublishedChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error('content listener failed', error);
      }
    }
  }

  get(id: string, locale: string): ContentRecord | null {
    return this.repository.get(id, locale);
  }

  getTranslations(id: string): ContentRecord[] {
    return this.repository.getTranslations(id);
  }

  /** Items grouped by id, locales side by side, newest change first. */
  listGrouped(filter: ContentFilter): ContentGroup[] {
    const groups = new Map<string, ContentGroup>();
    for (const record of this.repository.list(filter)) {
      const group = groups.get(record.id) ?? { id: record.id, category: record.category, locales: {} };
      group.locales[record.locale] = record;
      if (record.locale === 'zh-CN') group.category = record.category;
      groups.set(record.id, group);
    }
    return [...groups.values()];
  }

  /** Published rows (screens filter by validity window). */
  listPublished(): ContentRecord[] {
    return this.repository.listPublished();
  }

  /** True when the database holds no content at all (first start). */
  isEmpty(): boolean {
    return this.repository.count() === 0;
  }

  /** A fresh readable id for a new item, e.g. `government-20261125-k3p9`. */
  newId(category: string): string {
    const day = this.clock.now().toISOString().slice(0, 10).replaceAll('-', '');
    const suffix = crypto.randomBytes(3).toString('hex').slice(0, 4);
    return `${category}-${day}-${suffix}`;
  }

  /**
   * Creates (`create: true`) or updates one locale of an item and leaves it as a draft or published.
   * `expectedUpdatedAt` is the stamp of the row the editor started from: if someone saved in between, the save is
   * refused as a conflict instead of silently overwriting their change.
   */
  save(
    input: ContentDraftInput,
    actor: Actor,
    options: { mode: SaveMode; create: boolean; expectedUpdatedAt?: string },
  ): ContentResult<ContentRecord> {
    const parsed = ContentDraft.safeParse(input);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          kind: 'invalid',
          message: 'the item has invalid fields',
          issues: parsed.error.issues.map((issue) => ({
            path: issue.path.map(String).join('.'),
            message: issue.message,
            code: issue.code,
            limit:
              'maximum' in issue
                ? Number(issue.maximum)
                : 'minimum' in issue
                  ? Number(issue.minimum)
                  : undefined,
          })),
        },
      };
    }
    const draft = parsed.data;
    const missing = this.missingAssets(draft);
    if (missing.length)
      return { ok: false, error: { kind: 'invalid', message: 'unknown images', issues: missing } };

    const now = this.clock.now().toISOString();
    let wasPublished = false;
    const result = this.repository.transaction((): ContentResult<ContentRecord> => {
      const existing = this.repository.get(draft.id, draft.locale);
      wasPublished = existing?.status === 'published';
      if (options.create && existing) {
        return {
          ok: false,
          error: { kind: 'conflict', message: 'an item with this id and language exists', field: 'id' },
        };
      }
      if (!options.create && !existing)
        return { ok: false, error: { kind: 'not-found', message: 'no such item' } };
      if (existing && options.expectedUpdatedAt && existing.updatedAt !== options.expectedUpdatedAt) {
        return {
          ok: false,
          error: { kind: 'conflict', message: 'someone else saved this item meanwhile', field: 'updatedAt' },
        };
      }
      const publish = options.mode === 'publish';
      const record: ContentRecord = {
        ...draft,
        bodyHtml: renderMarkdown(draft.body),
        status: publish ? 'published' : 'draft',
        version: nextVersion(existing, publish),
        source: existing?.source ?? 'cms',
        createdBy: existing?.createdBy ?? actor?.id ?? null,
        updatedBy: actor?.id ?? null,
        createdAt: existing?.createdAt ?? now,
        // strictly increasing so the conflict check above can tell two saves in the same millisecond apart
        updatedAt: laterThan(existing?.updatedAt, now),
        publishedAt: publish ? now : (existing?.publishedAt ?? null),
      };
      if (existing) this.repository.update(record);
      else this.repository.insert(record);
      this.audit.record({
        actor,
        action: publish ? 'content.publish' : existing ? 'content.save-draft' : 'content.create',
        target: `${record.id}/${record.locale}`,
        detail: { version: record.version, status: record.status, title: record.title },
      });
      return { ok: true, value: record };
    });
    // a published row changed, or a draft save took a published row off screens
    if (result.ok && (options.mode === 'publish' || wasPublished)) this.notify();
    return result;
  }

  /** Publishes the stored row as it is (version bumped). */
  publish(id: string, locale: string, actor: Actor): ContentResult<ContentRecord> {
    return this.setStatus(id, locale, actor, 'published');
  }

  /** Takes the row off screens; it stays in the CMS and can be published again. */
  unpublish(id: string, locale: string, actor: Actor): ContentResult<ContentRecord> {
    return this.setStatus(id, locale, actor, 'unpublished');
  }

  private setStatus(
    id: string,
    locale: string,
    actor: Actor,
    status: 'published' | 'unpublished',
  ): ContentResult<ContentRecord> {
    const now = this.clock.now().toISOString();
    let changed = false;
    const result = this.repository.transaction((): ContentResult<ContentRecord> => {
      const existing = this.repository.get(id, locale);
      if (!existing) return { ok: false, error: { kind: 'not-found', message: 'no such item' } };
      if (status === 'unpublished' && existing.status !== 'published') {
        return { ok: true, value: existing }; // nothing on screens to take off
      }
      changed = true;
      const publish = status === 'published';
      const record: ContentRecord = {
        ...existing,
        status,
        version: nextVersion(existing, publish),
        updatedBy: actor?.id ?? null,
        updatedAt: laterThan(existing.updatedAt, now),
        publishedAt: publish ? now : existing.publishedAt,
      };
      this.repository.update(record);
      this.audit.record({
        actor,
        action: publish ? 'content.publish' : 'content.unpublish',
        target: `${id}/${locale}`,
        detail: { version: record.version },
      });
      return { ok: true, value: record };
    });
    if (changed) this.notify();
    return result;
  }

  /**
   * Imports items as published in one transaction (first start: the demo pack). Rows that exist are left alone,
   * so importing twice changes nothing. Returns how many rows were inserted.
   */
  importPublished(items: readonly ContentItem[], source: 'pack', actor: Actor = null): number {
    let inserted = 0;
    this.repository.transaction(() => {
      for (const item of items) {
        if (this.repository.get(item.id, item.locale)) continue;
        this.repository.insert({
          ...item,
          bodyHtml: renderMarkdown(item.body),
          status: 'published',
          source,
          createdBy: null,
          updatedBy: null,
          createdAt: item.updatedAt,
          publishedAt: item.updatedAt,
          // a pack carries no schedule: its items play always, on every screen, until an editor says otherwise
          dayparts: [],
          priority: 50,
          target: { communities: [], buildings: [], groups: [], tags: [] },
        });
        inserted += 1;
      }
      this.audit.record({ actor, action: 'content.import', target: source, detail: { inserted } });
    });
    if (inserted > 0) this.notify();
    return inserted;
  }

  private missingAssets(draft: ContentDraft): ContentFieldIssue[] {
    const wanted = new Set([...draft.images.map((image) => image.sha256), ...bodyAssetRefs(draft.body)]);
    if (wanted.size === 0) return [];
    const known = new Set(this.assets.getMany([...wanted]).map((asset) => asset.sha256));
    const issues: ContentFieldIssue[] = [];
    draft.images.forEach((image, i) => {
      if (!known.has(image.sha256))
        issues.push({ path: `images.${i}.sha256`, message: 'cms.error.unknownImage' });
    });
    if (bodyAssetRefs(draft.body).some((sha) => !known.has(sha))) {
      issues.push({ path: 'body', message: 'cms.error.unknownImage' });
    }
    return issues;
  }
}

/** The first publish keeps version 1; every later publish adds one (ContentItem: "increases with every published change"). */
function nextVersion(existing: ContentRecord | null, publish: boolean): number {
  if (!existing) return 1;
  return publish && existing.publishedAt !== null ? existing.version + 1 : existing.version;
}

/** `now`, or one millisecond after `previous` when the clock has not moved past it. */
function laterThan(previous: string | undefined, now: string): string {
  if (!previous || previous < now) return now;
  return new Date(new Date(previous).getTime() + 1).toISOString();
}
