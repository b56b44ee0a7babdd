import { LOCALES, type Locale } from '@linli/content';
import { fromZonedInput, toZonedInput } from '../../cms/zoned-time';
import type { FieldError } from '../validation';
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
}

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
  };
}

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
    case 'invalid': {
      const out: Record<string, FieldError> = {};
      for (const issue of error.issues) {
        const field = issue.path.startsWith('images') ? 'images' : issue.path.split('.')[0] || '_';
        if (out[field]) continue;
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
