import type { SessionUser } from '../auth/roles';
import type { ContentDraftInput, ContentRecord, ContentResult } from './content.schema';
import type { ContentService } from './content.service';

/** An editor for service tests (the version tables keep user ids; no users row is needed). */
export const TEST_EDITOR: SessionUser = {
  id: 'u-editor',
  username: 'editor',
  displayName: 'Editor',
  roles: ['editor'],
};

/** A reviewer who wrote nothing: may approve what TEST_EDITOR wrote. */
export const TEST_REVIEWER: SessionUser = {
  id: 'u-reviewer',
  username: 'reviewer',
  displayName: 'Reviewer',
  roles: ['reviewer'],
};

/**
 * Puts an item on screens the way the CMS does: an editor saves and submits it, a different reviewer approves and
 * publishes it. For tests whose subject is what happens after publishing. Returns the working record.
 */
export function publishReviewed(
  content: ContentService,
  input: ContentDraftInput,
  people: { editor?: SessionUser; reviewer?: SessionUser } = {},
): ContentResult<ContentRecord> {
  const editor = people.editor ?? TEST_EDITOR;
  const reviewer = people.reviewer ?? TEST_REVIEWER;
  const create = !content.get(input.id, input.locale);
  const saved = content.save(input, editor, { mode: 'submit', create });
  if (!saved.ok) return saved;
  const approved = content.approve(input.id, input.locale, reviewer, { publish: true });
  if (!approved.ok) return approved;
  return { ok: true, value: content.get(input.id, input.locale)! };
}
