import crypto from 'node:crypto';
import {
  ASSET_REF_PATTERN,
  parseKindPayload,
  payloadAssetRefs,
  renderMarkdown,
  type ContentItem,
  type Locale,
} from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import { PERMISSIONS } from '../auth/permissions';
import type { Role, SessionUser } from '../auth/roles';
import type { Clock } from '../clock';
import { contributorsOf, toVersion, type VersionRow } from './content-version.repository';
import type { ContentRepository } from './content.repository';
import {
  ContentDraft,
  OPEN_STATES,
  RejectionReason,
  type ContentDraftInput,
  type ContentError,
  type ContentFieldIssue,
  type ContentFilter,
  type ContentRecord,
  type ContentResult,
  type ContentVersion,
  type ListedContent,
  type WorkflowAction,
  type WorkflowState,
} from './content.schema';

/** What the content service needs to know about assets: which hashes exist. */
export interface AssetLookup {
  getMany(hashes: readonly string[]): { sha256: string }[];
}

/** Who makes a change: a signed-in user, or null for the system (pack import). */
export type Actor = Pick<SessionUser, 'id' | 'username'> | null;

/** Who asks for a workflow transition: the roles decide what they may do. */
export type WorkflowActor = Pick<SessionUser, 'id' | 'username' | 'roles'>;

/** How a save ends: as a draft, or submitted for review. Nothing goes on screens by saving. */
export type SaveMode = 'draft' | 'submit';

/** One item with its translations side by side, as the CMS list shows it. */
export interface ContentGroup {
  id: string;
  category: ContentRecord['category'];
  locales: Partial<Record<Locale, ListedContent>>;
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

  private get versions() {
    return this.repository.versions;
  }

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
    for (const record of this.repository.list(filter, this.now())) {
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
   * Creates (`create: true`) or updates the working version of one locale of an item, as a draft or (`submit`)
   * straight into review. A working version nothing of which was ever on screens (draft, submitted, approved,
   * rejected) is changed in place and goes back to draft (or submitted): an approval holds only for the text that
   * was approved. A working version that is or was live is never changed: the save starts the next version, and
   * screens keep showing the published one until that is reviewed and published.
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
    return this.repository.transaction((): ContentResult<ContentRecord> => {
      const existing = this.repository.get(draft.id, draft.locale);
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
      const working = existing ? this.versions.get(draft.id, draft.locale, existing.version) : null;
      const inPlace = !!working && OPEN_STATES.includes(working.state);
      const version = !existing
        ? 1
        : inPlace
          ? existing.version
          : this.versions.maxVersion(draft.id, draft.locale) + 1;
      const state: WorkflowState = options.mode === 'submit' ? 'submitted' : 'draft';
      const record: ContentRecord = {
        ...draft,
        bodyHtml: renderMarkdown(draft.body),
        status: existing?.status ?? 'draft',
        version,
        source: existing?.source ?? 'cms',
        createdBy: existing?.createdBy ?? actor?.id ?? null,
        updatedBy: actor?.id ?? null,
        createdAt: existing?.createdAt ?? now,
        // strictly increasing so the conflict check above can tell two saves in the same millisecond apart
        updatedAt: laterThan(existing?.updatedAt, now),
        publishedAt: existing?.publishedAt ?? null,
        publishedVersion: existing?.publishedVersion ?? null,
      };
      if (existing) this.repository.update(record);
      else this.repository.insert(record);
      const snapshot = this.repository.snapshot(record.id, record.locale);
      const submitted = state === 'submitted' ? { submitted_at: now, submitted_by: actor?.id ?? null } : {};
      if (working && inPlace) {
        const contributors = contributorsOf(working);
        if (actor && !contributors.includes(actor.id)) contributors.push(actor.id);
        this.versions.update({
          ...working,
          state,
          snapshot,
          contributors: JSON.stringify(contributors),
          updated_at: now,
          submitted_at: null,
          submitted_by: null,
          reviewed_at: null,
          reviewed_by: null,
          ...submitted,
        });
      } else {
        this.versions.insert({
          ...emptyVersion(record.id, record.locale, version, now),
          state,
          snapshot,
          author_id: actor?.id ?? null,
          contributors: JSON.stringify(actor ? [actor.id] : []),
          ...submitted,
        });
      }
      this.audit.record({
        actor,
        action: state === 'submitted' ? 'content.submit' : existing ? 'content.save-draft' : 'content.create',
        target: `${record.id}/${record.locale}`,
        detail: {
          version,
          from: inPlace ? (working?.state ?? null) : null,
          to: state,
          title: record.title,
          ...(inPlace ? {} : { live: record.publishedVersion ?? null }),
        },
      });
      return { ok: true, value: record };
    });
  }

  /** Every version of one item in one locale, newest first. */
  versionsOf(id: string, locale: string): ContentVersion[] {
    return this.versions
      .list(id, locale)
      .map((row) => toVersion(row, (json) => this.repository.fromSnapshot(json)));
  }

  /** One version, or null. */
  getVersion(id: string, locale: string, version: number): ContentVersion | null {
    const row = this.versions.get(id, locale, version);
    return row ? toVersion(row, (json) => this.repository.fromSnapshot(json)) : null;
  }

  /** The working version's workflow state (null: no such item). */
  workingState(id: string, locale: string): WorkflowState | null {
    const row = this.repository.get(id, locale);
    return row ? (this.versions.get(id, locale, row.version)?.state ?? 'draft') : null;
  }

  /** Which transitions `actor` may ask for on the working version now (what the UI offers; the service decides). */
  allowedActions(id: string, locale: string, actor: WorkflowActor): WorkflowAction[] {
    const row = this.repository.get(id, locale);
    if (!row) return [];
    const working = this.versions.get(id, locale, row.version);
    const state = working?.state ?? 'draft';
    const wrote = !!working && isContributor(working, actor);
    const out: WorkflowAction[] = [];
    if (holds(actor, 'editor') && (state === 'draft' || state === 'rejected')) out.push('submit');
    if (holds(actor, 'reviewer') && state === 'submitted' && !wrote) out.push('approve-publish', 'approve');
    if (holds(actor, 'reviewer') && state === 'approved') out.push('publish');
    if (holds(actor, 'reviewer') && (state === 'submitted' || state === 'approved') && !wrote)
      out.push('reject');
    if (holds(actor, ...PERMISSIONS.content) && row.publishedVersion) out.push('archive');
    return out;
  }

  /** Sends the working version (draft or rejected) to review. Editors (and admins). */
  submit(id: string, locale: string, actor: WorkflowActor): ContentResult<ContentVersion> {
    return this.transition(id, locale, actor, 'submit', (working) => {
      if (!holds(actor, 'editor')) return forbidden('role');
      if (working.state !== 'draft' && working.state !== 'rejected')
        return wrongState(working.state, 'submit');
      return {
        state: 'submitted',
        submitted_at: this.now(),
        submitted_by: actor.id,
        reviewed_at: null,
        reviewed_by: null,
      };
    });
  }

  /**
   * A reviewer approves the submitted version, and with `publish` puts it on screens in the same step. Never by
   * anyone who wrote into that version, whatever their role: an admin's own text needs a second person too.
   */
  approve(
    id: string,
    locale: string,
    actor: WorkflowActor,
    options: { publish: boolean },
  ): ContentResult<ContentVersion> {
    return this.transition(id, locale, actor, options.publish ? 'approve-publish' : 'approve', (working) => {
      if (!holds(actor, 'reviewer')) return forbidden('role');
      if (working.state !== 'submitted') return wrongState(working.state, 'approve');
      if (isContributor(working, actor)) return forbidden('own-version');
      const reviewed = { reviewed_at: this.now(), reviewed_by: actor.id };
      return options.publish
        ? { ...reviewed, ...this.publishing(actor) }
        : { ...reviewed, state: 'approved' };
    });
  }

  /** A reviewer sends a submitted or approved version back to its author with a reason; it is edited again. */
  reject(id: string, locale: string, actor: WorkflowActor, reason: string): ContentResult<ContentVersion> {
    const parsed = RejectionReason.safeParse(reason);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          kind: 'invalid',
          message: 'a rejection needs a reason',
          issues: [
            { path: 'reason', message: 'cms.workflow.error.reason', code: parsed.error.issues[0]?.code },
          ],
        },
      };
    }
    return this.transition(id, locale, actor, 'reject', (working) => {
      if (!holds(actor, 'reviewer')) return forbidden('role');
      if (working.state !== 'submitted' && working.state !== 'approved')
        return wrongState(working.state, 'reject');
      if (isContributor(working, actor)) return forbidden('own-version');
      return { state: 'rejected', reason: parsed.data, reviewed_at: this.now(), reviewed_by: actor.id };
    });
  }

  /** Puts an approved version on screens; the previously live version is superseded. Reviewers (and admins). */
  publish(id: string, locale: string, actor: WorkflowActor): ContentResult<ContentVersion> {
    return this.transition(id, locale, actor, 'publish', (working) => {
      if (!holds(actor, 'reviewer')) return forbidden('role');
      if (working.state !== 'approved') return wrongState(working.state, 'publish');
      return this.publishing(actor);
    });
  }

  /**
   * Takes the live version off screens (archived); the item and any newer working version stay in the CMS.
   * Anyone who may work on content may do it alone: taking a wrong notice down must not wait for a second person.
   */
  archive(id: string, locale: string, actor: WorkflowActor): ContentResult<ContentVersion> {
    if (!holds(actor, ...PERMISSIONS.content)) return forbidden('role');
    const now = this.now();
    const result = this.repository.transaction((): ContentResult<ContentVersion> => {
      const row = this.repository.get(id, locale);
      if (!row) return { ok: false, error: { kind: 'not-found', message: 'no such item' } };
      const live = row.publishedVersion ? this.versions.get(id, locale, row.publishedVersion) : null;
      if (!live) return wrongState(this.versions.get(id, locale, row.version)?.state ?? null, 'archive');
      this.versions.update({ ...live, state: 'archived', updated_at: now });
      this.repository.setLive(id, locale, null, 'unpublished', null);
      this.audit.record({
        actor,
        action: 'content.archive',
        target: `${id}/${locale}`,
        detail: { version: live.version, from: live.state, to: 'archived' },
      });
      return { ok: true, value: this.getVersion(id, locale, live.version)! };
    });
    if (result.ok) this.notify();
    return result;
  }

  /**
   * Rollback: an earlier version's content becomes a new version, submitted for review at once. It does not go
   * live by itself: whoever asks for the rollback is its author, so another reviewer confirms it, as for any text
   * going on screens (a wrong live notice is taken down at once with `archive`). Unpublished work in progress is
   * superseded by it.
   */
  rollback(
    id: string,
    locale: string,
    fromVersion: number,
    actor: WorkflowActor,
  ): ContentResult<ContentVersion> {
    if (!holds(actor, ...PERMISSIONS.content)) return forbidden('role');
    const now = this.now();
    return this.repository.transaction((): ContentResult<ContentVersion> => {
      const row = this.repository.get(id, locale);
      const source = row ? this.versions.get(id, locale, fromVersion) : null;
      if (!row || !source) return { ok: false, error: { kind: 'not-found', message: 'no such version' } };
      const working = this.versions.get(id, locale, row.version);
      if (fromVersion === row.version) return wrongState(working?.state ?? null, 'rollback');
      const restored = this.repository.fromSnapshot(source.snapshot);
      const missing = this.missingAssets(restored);
      if (missing.length)
        return { ok: false, error: { kind: 'invalid', message: 'unknown images', issues: missing } };
      const version = this.versions.maxVersion(id, locale) + 1;
      this.repository.restoreContent(id, locale, source.snapshot, {
        version,
        updatedBy: actor.id,
        updatedAt: laterThan(row.updatedAt, now),
      });
      if (working && OPEN_STATES.includes(working.state)) {
        this.versions.update({ ...working, state: 'superseded', updated_at: now });
      }
      this.versions.insert({
        ...emptyVersion(id, locale, version, now),
        state: 'submitted',
        snapshot: this.repository.snapshot(id, locale),
        author_id: actor.id,
        contributors: JSON.stringify([actor.id]),
        based_on: fromVersion,
        submitted_at: now,
        submitted_by: actor.id,
      });
      this.audit.record({
        actor,
        action: 'content.rollback',
        target: `${id}/${locale}`,
        detail: {
          version,
          basedOn: fromVersion,
          from: null,
          to: 'submitted',
          superseded: working?.version ?? null,
        },
      });
      return { ok: true, value: this.getVersion(id, locale, version)! };
    });
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** The fields a version gets when it goes live. */
  private publishing(actor: WorkflowActor): Partial<VersionRow> {
    return { state: 'published', published_at: this.now(), published_by: actor.id };
  }

  /**
   * One transition of the working version, in one transaction with its audit entry: `decide` checks the rules
   * against the current state and returns the changed fields, or refuses. Publishing moves the live pointer and
   * supersedes the version that was live; listeners hear about it after the commit.
   */
  private transition(
    id: string,
    locale: string,
    actor: WorkflowActor,
    action: WorkflowAction,
    decide: (working: VersionRow) => Partial<VersionRow> | { ok: false; error: ContentError },
  ): ContentResult<ContentVersion> {
    const now = this.now();
    let published = false;
    const result = this.repository.transaction((): ContentResult<ContentVersion> => {
      const row = this.repository.get(id, locale);
      if (!row) return { ok: false, error: { kind: 'not-found', message: 'no such item' } };
      const working =
        this.versions.get(id, locale, row.version) ??
        // a row written around the service has no version yet: it is a draft by whoever created it
        (() => {
          const created: VersionRow = {
            ...emptyVersion(id, locale, row.version, row.createdAt),
            snapshot: this.repository.snapshot(id, locale),
            author_id: row.createdBy,
            contributors: JSON.stringify(row.createdBy ? [row.createdBy] : []),
          };
          this.versions.insert(created);
          return created;
        })();
      const decision = decide(working);
      if ('ok' in decision) return decision;
      const next: VersionRow = { ...working, ...decision, updated_at: now };
      this.versions.update(next);
      if (next.state === 'published') {
        published = true;
        const previous = row.publishedVersion;
        if (previous && previous !== next.version) {
          const old = this.versions.get(id, locale, previous);
          if (old) this.versions.update({ ...old, state: 'superseded', updated_at: now });
        }
        this.repository.setLive(id, locale, next.version, 'published', now);
      }
      this.audit.record({
        actor,
        action: `content.${action}`,
        target: `${id}/${locale}`,
        detail: {
          version: next.version,
          from: working.state,
          to: next.state,
          ...(next.reason && next.state === 'rejected' ? { reason: next.reason } : {}),
        },
      });
      return { ok: true, value: this.getVersion(id, locale, next.version)! };
    });
    if (result.ok && published) this.notify();
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
        const record: ContentRecord = {
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
        };
        this.repository.insert(record);
        // a pack is published content as shipped: version 1, live, with no author to review it
        this.versions.insert({
          ...emptyVersion(item.id, item.locale, record.version, item.updatedAt),
          state: 'published',
          snapshot: this.repository.snapshot(item.id, item.locale),
          published_at: item.updatedAt,
        });
        this.repository.setLive(item.id, item.locale, record.version, 'published', null);
        inserted += 1;
      }
      this.audit.record({ actor, action: 'content.import', target: source, detail: { inserted } });
    });
    if (inserted > 0) this.notify();
    return inserted;
  }

  private missingAssets(
    draft: Pick<ContentDraft, 'images' | 'body' | 'kind' | 'payload'>,
  ): ContentFieldIssue[] {
    const kinded = parseKindPayload(draft.kind, draft.payload);
    const payloadRefs = kinded.success ? payloadAssetRefs(kinded.data) : [];
    const wanted = new Set([
      ...draft.images.map((image) => image.sha256),
      ...bodyAssetRefs(draft.body),
      ...payloadRefs,
    ]);
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
    // a kind's file (video, PDF, poster, map, attachment) must be stored too; named at the payload field
    if (kinded.success) {
      for (const [field, value] of Object.entries(kinded.data.payload)) {
        const shas = Array.isArray(value)
          ? value.map((entry: unknown) => (entry as { sha256?: string })?.sha256)
          : [value];
        if (shas.some((sha) => typeof sha === 'string' && payloadRefs.includes(sha) && !known.has(sha)))
          issues.push({ path: `payload.${field}`, message: 'cms.error.unknownAsset' });
      }
    }
    return issues;
  }
}

/** A version row with nothing decided yet. */
function emptyVersion(id: string, locale: string, version: number, now: string): VersionRow {
  return {
    id,
    locale,
    version,
    state: 'draft',
    snapshot: '{}',
    author_id: null,
    contributors: '[]',
    reason: null,
    based_on: null,
    created_at: now,
    updated_at: now,
    submitted_at: null,
    submitted_by: null,
    reviewed_at: null,
    reviewed_by: null,
    published_at: null,
    published_by: null,
  };
}

/** True when the actor holds any of the roles (admin holds every one), as `hasRole` for a signed-in user. */
function holds(actor: WorkflowActor, ...roles: readonly Role[]): boolean {
  return actor.roles.includes('admin') || roles.some((role) => actor.roles.includes(role));
}

/** True when `actor` wrote (into) this version. */
function isContributor(version: VersionRow, actor: WorkflowActor): boolean {
  return version.author_id === actor.id || contributorsOf(version).includes(actor.id);
}

function forbidden(reason: 'role' | 'own-version'): { ok: false; error: ContentError } {
  return {
    ok: false,
    error: {
      kind: 'forbidden',
      reason,
      message:
        reason === 'own-version'
          ? 'the author of a version cannot approve or reject it: another reviewer must'
          : 'your role does not allow this',
    },
  };
}

function wrongState(from: WorkflowState | null, action: WorkflowAction): { ok: false; error: ContentError } {
  return {
    ok: false,
    error: {
      kind: 'invalid-transition',
      from,
      action,
      message: `cannot ${action} a version that is ${from ?? 'missing'}`,
    },
  };
}

/** `now`, or one millisecond after `previous` when the clock has not moved past it. */
function laterThan(previous: string | undefined, now: string): string {
  if (!previous || previous < now) return now;
  return new Date(new Date(previous).getTime() + 1).toISOString();
}
