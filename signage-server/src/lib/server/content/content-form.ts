import { LOCALES, type Locale } from '@linli/content';
import { fromZonedInput, toZonedInput } from '../../cms/zoned-time';
import type { FieldError } from '../validation';
import {
  kindFieldOf,
  kindFormFromRecord,
  payloadFromKindForm,
  readKindForm,
  type KindFormValues,
} from './kind-form';
import type { ContentDraftInput, ContentError, ContentRecord } from './content.schema';

/** The content form as the editor typed it: strings only, so a failed save re-renders exactly their input. */
export interface ContentFormValues {
  id: string;
  locale: Locale;
  category: string;
  title: string;
  summary: string;
  body: string;
  /** datetime-local values in the CMS time zone. */
  validFrom: string;
  validUntil: string;
  images: { sha256: string; alt: string }[];
  /** The stamp of the row the editor started from ('' for a new item). */
  updatedAt: string;
  /** Description for an image uploaded with this submission. */
  newImageAlt: string;
  /** Weekly slots as typed: ISO weekdays ticked, HH:MM start and end. */
  dayparts: { days: number[]; start: string; end: string }[];
  /** 0–100 as typed. */
  priority: string;
  /** Ids and names ticked in the targeting pickers. */
  target: { communities: string[]; buildings: string[]; groups: string[]; tags: string[] };
  /** Tags typed by hand, comma-separated (tags no device carries yet). */
  extraTags: string;
  /** The content kind and its fields as typed (kind-form.ts). */
  kind: KindFormValues;
}

const NO_TARGET = () => ({ communities: [], buildings: [], groups: [], tags: [] });

/** Form values of a stored item. */
export function valuesFromRecord(record: ContentRecord): ContentFormValues {
  return {
    id: record.id,
    locale: record.locale,
    category: record.category,
    title: record.title,
    summary: record.summary,
    body: record.body,
    validFrom: toZonedInput(record.validFrom),
    validUntil: toZonedInput(record.validUntil),
    images: record.images.map((image) => ({ sha256: image.sha256, alt: image.alt })),
    updatedAt: record.updatedAt,
    newImageAlt: '',
    dayparts: record.dayparts.map((daypart) => ({ ...daypart, days: [...daypart.days] })),
    priority: String(record.priority),
    target: {
      communities: [...record.target.communities],
      buildings: [...record.target.buildings],
      groups: [...record.target.groups],
      tags: [...record.target.tags],
    },
    extraTags: '',
    kind: kindFormFromRecord(record),
  };
}

/** Empty form values (a new item). */
export function emptyValues(locale: Locale = 'zh-CN', category = ''): ContentFormValues {
  return {
    id: '',
    locale,
    category,
    title: '',
    summary: '',
    body: '',
    validFrom: '',
    validUntil: '',
    images: [],
    updatedAt: '',
    newImageAlt: '',
    dayparts: [],
    priority: '50',
    target: NO_TARGET(),
    extraTags: '',
    kind: { kind: 'notice', fields: {} },
  };
}

const DAYPART_FIELD = /^daypart\.(\d{1,2})\.(?:start|end|days)$/;

/**
 * Daypart rows arrive as `daypart.<n>.days` (checkboxes), `daypart.<n>.start`, `daypart.<n>.end`; a row whose
 * `daypart.<n>.remove` is ticked, or that is left entirely blank (the spare row a plain form offers), is dropped.
 */
function readDayparts(form: FormData): ContentFormValues['dayparts'] {
  const rows = new Set<number>();
  for (const name of form.keys()) {
    const match = DAYPART_FIELD.exec(name);
    if (match) rows.add(Number(match[1]));
  }
  const dayparts: ContentFormValues['dayparts'] = [];
  for (const row of [...rows].sort((a, b) => a - b)) {
    if (form.get(`daypart.${row}.remove`)) continue;
    const days = [...new Set(form.getAll(`daypart.${row}.days`).map(Number))]
      .filter((day) => Number.isInteger(day) && day >= 1 && day <= 7)
      .sort((a, b) => a - b);
    const start = text(form, `daypart.${row}.start`).trim();
    const end = text(form, `daypart.${row}.end`).trim();
    if (days.length === 0 && !start && !end) continue;
    dayparts.push({ days, start, end });
  }
  return dayparts;
}

const list = (form: FormData, name: string) =>
  [...new Set(form.getAll(name).map((value) => String(value).trim()))].filter(Boolean);

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/**
 * Reads the submitted form. Images arrive as parallel `imageSha` / `imageAlt` fields; `imageRemove` lists the
 * hashes the editor ticked for removal.
 */
export function readContentForm(form: FormData): ContentFormValues {
  const shas = form.getAll('imageSha').map(String);
  const alts = form.getAll('imageAlt').map(String);
  const removed = new Set(form.getAll('imageRemove').map(String));
  const seen = new Set<string>();
  const images: ContentFormValues['images'] = [];
  shas.forEach((sha256, i) => {
    if (removed.has(sha256) || seen.has(sha256)) return;
    seen.add(sha256);
    images.push({ sha256, alt: alts[i] ?? '' });
  });
  const locale = text(form, 'locale');
  return {
    id: text(form, 'id').trim(),
    locale: (LOCALES as readonly string[]).includes(locale) ? (locale as Locale) : 'zh-CN',
    category: text(form, 'category'),
    title: text(form, 'title'),
    summary: text(form, 'summary'),
    // browsers submit textarea line breaks as CRLF; store what the editor sees
    body: text(form, 'body').replace(/\r\n/g, '\n'),
    validFrom: text(form, 'validFrom'),
    validUntil: text(form, 'validUntil'),
    images,
    updatedAt: text(form, 'updatedAt'),
    newImageAlt: text(form, 'newImageAlt'),
    dayparts: readDayparts(form),
    priority: text(form, 'priority').trim(),
    target: {
      communities: list(form, 'target.communities'),
      buildings: list(form, 'target.buildings'),
      groups: list(form, 'target.groups'),
      tags: list(form, 'target.tags'),
    },
    extraTags: text(form, 'extraTags'),
    kind: readKindForm(form),
  };
}

/** The service input for the form values, or the fields that cannot even be read (dates). */
export function draftFromValues(
  values: ContentFormValues,
): { ok: true; input: ContentDraftInput } | { ok: false; errors: Record<string, FieldError> } {
  const validFrom = fromZonedInput(values.validFrom);
  const validUntil = fromZonedInput(values.validUntil);
  const errors: Record<string, FieldError> = {};
  if (validFrom === undefined) errors.validFrom = { key: 'cms.error.invalidDate' };
  if (validUntil === undefined) errors.validUntil = { key: 'cms.error.invalidDate' };
  if (Object.keys(errors).length) return { ok: false, errors };
  // a priority that is not a number goes on as NaN, so the schema reports it together with every other field
  const priority = values.priority === '' ? 50 : Number(values.priority);
  // typed tags join the ticked ones; both full-width and ASCII commas separate them, as on the device form
  const typedTags = values.extraTags.split(/[,，]/).map((tag) => tag.trim().toLowerCase());
  return {
    ok: true,
    input: {
      id: values.id,
      locale: values.locale,
      category: values.category as ContentDraftInput['category'],
      title: values.title,
      summary: values.summary,
      body: values.body,
      images: values.images,
      validFrom: validFrom ?? null,
      validUntil: validUntil ?? null,
      dayparts: values.dayparts,
      priority,
      target: {
        ...values.target,
        tags: [...new Set([...values.target.tags, ...typedTags.filter(Boolean)])],
      },
      kind: values.kind.kind,
      payload: payloadFromKindForm(values.kind),
    },
  };
}

const I18N_KEY = /^[a-z]+\.[\w.-]+$/i;

/** Field errors (i18n keys) for a refused save, keyed by form field. */
export function contentFieldErrors(error: ContentError): Record<string, FieldError> {
  switch (error.kind) {
    case 'conflict':
      return error.field === 'id'
        ? { id: { key: 'cms.error.conflictId' } }
        : { _: { key: 'cms.error.conflictUpdated' } };
    case 'not-found':
      return { _: { key: 'cms.error.notFound' } };
    case 'forbidden':
      return {
        _: { key: error.reason === 'own-version' ? 'cms.workflow.error.ownVersion' : 'error.forbidden' },
      };
    case 'invalid-transition':
      return { _: { key: 'cms.workflow.error.state' } };
    case 'invalid': {
      const out: Record<string, FieldError> = {};
      for (const issue of error.issues) {
        const parts = issue.path.split('.');
        if (parts[0] === 'dayparts' && parts.length >= 3) {
          // one message per row, next to that row: which part of it is wrong
          const field = `dayparts.${parts[1]}`;
          out[field] ??= { key: parts[2] === 'days' ? 'cms.error.daypartDays' : 'cms.error.daypartTime' };
          continue;
        }
        if (parts[0] === 'payload' || parts[0] === 'kind') {
          const field = parts[0] === 'kind' ? 'kind' : kindFieldOf(issue.path);
          out[field] ??=
            I18N_KEY.test(issue.message) && !issue.message.includes(' ')
              ? { key: issue.message }
              : issue.code === 'too_small'
                ? { key: 'validation.required' }
                : issue.code === 'too_big'
                  ? { key: 'cms.error.tooLong', params: { max: issue.limit ?? 0 } }
                  : { key: 'validation.invalid' };
          continue;
        }
        if (parts[0] === 'target') {
          out.target ??= {
            key: I18N_KEY.test(issue.message) ? issue.message : 'cms.error.targetInvalid',
            params: { max: issue.limit ?? 0 },
          };
          continue;
        }
        const field = issue.path.startsWith('images') ? 'images' : parts[0] || '_';
        if (out[field]) continue;
        if (field === 'priority') {
          out[field] = { key: 'cms.error.priority' };
          continue;
        }
        if (I18N_KEY.test(issue.message) && !issue.message.includes(' ')) out[field] = { key: issue.message };
        else if (field === 'id')
          out[field] = { key: issue.code === 'too_small' ? 'validation.required' : 'cms.error.idFormat' };
        else if (field === 'images' && issue.code === 'too_big')
          out[field] = { key: 'cms.error.tooManyImages' };
        else if (issue.code === 'too_small') out[field] = { key: 'validation.required' };
        else if (issue.code === 'too_big')
          out[field] = { key: 'cms.error.tooLong', params: { max: issue.limit ?? 0 } };
        else if (field === 'category') out[field] = { key: 'validation.required' };
        else out[field] = { key: 'validation.invalid' };
      }
      return out;
    }
  }
}
