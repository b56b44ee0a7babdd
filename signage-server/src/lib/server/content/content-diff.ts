import { diffLines } from 'diff';
import type { ContentRecord } from './content.schema';

/** One line of a text diff. */
export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** A text field's line diff (only fields that changed). */
export interface TextChange {
  field: 'title' | 'summary' | 'body';
  lines: DiffLine[];
}

/** Any other field that changed, as readable before/after text. */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/** What changed from one version to the next. */
export interface VersionDiff {
  text: TextChange[];
  fields: FieldChange[];
}

const TEXT_FIELDS = ['title', 'summary', 'body'] as const;

/**
 * Fields that say when and by whom, not what: they change with every version and are shown beside the diff, not
 * in it. `bodyHtml` follows `body`.
 */
const NOT_CONTENT = new Set([
  ...TEXT_FIELDS,
  'bodyHtml',
  'status',
  'version',
  'source',
  'createdBy',
  'updatedBy',
  'createdAt',
  'updatedAt',
  'publishedAt',
  'publishedVersion',
]);

/** A value as an editor reads it: lists joined, objects as `key: value` pairs, empty as an em dash. */
export function readable(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(readable).join('; ') : '—';
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => !(Array.isArray(inner) && inner.length === 0))
      .map(([key, inner]) => `${key}: ${readable(inner)}`);
    return parts.length ? parts.join(', ') : '—';
  }
  return String(value);
}

/** Line diff of two texts (trailing newline differences ignored). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(
    before.endsWith('\n') ? before : `${before}\n`,
    after.endsWith('\n') ? after : `${after}\n`,
  )) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    for (const text of part.value.replace(/\n$/, '').split('\n')) lines.push({ kind, text });
  }
  return lines;
}

/**
 * The changes from `before` (null: the first version) to `after`: line diffs of title, summary and body, and
 * before/after of every other content field, schedule and targeting included. Generic over the record's fields,
 * so fields added later (content kinds, payloads) show up without changes here.
 */
export function versionDiff(before: ContentRecord | null, after: ContentRecord): VersionDiff {
  const text: TextChange[] = [];
  for (const field of TEXT_FIELDS) {
    const old = before?.[field] ?? '';
    if (old !== after[field]) text.push({ field, lines: lineDiff(old, after[field]) });
  }
  const fields: FieldChange[] = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const field of [...keys].sort()) {
    if (NOT_CONTENT.has(field)) continue;
    const old = before ? (before as unknown as Record<string, unknown>)[field] : undefined;
    const now = (after as unknown as Record<string, unknown>)[field];
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    fields.push({ field, before: readable(old), after: readable(now) });
  }
  return { text, fields };
}
