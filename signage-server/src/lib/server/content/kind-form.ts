import { CONTENT_KINDS, type ContentItem, type ContentKind, type RawPayload } from '@linli/content';

/**
 * The kind fields of the content form as typed: `kind` and, per kind, `kf.<kind>.<field>` strings. Every kind's
 * fields are posted (a plain form shows them all; script hides the other kinds), and only the chosen kind's are
 * read, so switching kinds back and forth loses nothing typed.
 */
export interface KindFormValues {
  kind: ContentKind;
  /** `<kind>.<field>` → text as typed. */
  fields: Record<string, string>;
}

const FIELD = /^kf\.([a-z]+)\.([a-zA-Z]+)$/;

/** Reads `kind` and every `kf.*` field of a submitted form. */
export function readKindForm(form: FormData): KindFormValues {
  const kind = String(form.get('kind') ?? 'notice');
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    const match = FIELD.exec(name);
    if (match && typeof value === 'string') fields[`${match[1]}.${match[2]}`] = value.replace(/\r\n/g, '\n');
  }
  return {
    kind: (CONTENT_KINDS as readonly string[]).includes(kind) ? (kind as ContentKind) : 'notice',
    fields,
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * The payload the schema checks, from the typed fields. Empty optional fields become their "none" value; empty
 * required ones stay empty so the schema names them. No checking here: content-kind.schema does all of it.
 */
export function payloadFromKindForm({ kind, fields }: KindFormValues): RawPayload {
  const f = (name: string) => (fields[`${kind}.${name}`] ?? '').trim();
  const optionalAsset = (name: string) => f(name) || null;
  switch (kind) {
    case 'notice':
      return {
        attachments: lines(fields['notice.attachments'] ?? '').map((line) => {
          const [sha256 = '', ...name] = line.split(/\s+/);
          return { sha256: sha256.toLowerCase(), name: name.join(' ') };
        }),
      };
    case 'image':
      return { image: f('image').toLowerCase(), alt: f('alt'), caption: f('caption') };
    case 'video':
      return {
        video: f('video').toLowerCase(),
        poster: optionalAsset('poster')?.toLowerCase() ?? null,
        caption: f('caption'),
      };
    case 'pdf':
      return { pdf: f('pdf').toLowerCase(), caption: f('caption') };
    case 'ticker':
      return { lines: lines(fields['ticker.lines'] ?? '') };
    case 'qr':
      return { url: f('url'), label: f('label') };
    case 'place':
      return {
        name: f('name'),
        placeKind: f('placeKind'),
        hours: f('hours'),
        phone: f('phone'),
        address: f('address'),
        map: optionalAsset('map')?.toLowerCase() ?? null,
      };
    case 'provider':
      return { provider: f('provider'), service: f('service'), contact: f('contact'), licence: f('licence') };
  }
}

/** The typed fields of a stored item (its own kind's; the others start empty). */
export function kindFormFromRecord(record: Pick<ContentItem, 'kind' | 'payload'>): KindFormValues {
  const fields: Record<string, string> = {};
  const p = record.payload as Record<string, unknown>;
  const put = (name: string, value: unknown) => {
    if (typeof value === 'string') fields[`${record.kind}.${name}`] = value;
  };
  switch (record.kind) {
    case 'notice':
      fields['notice.attachments'] = ((p.attachments as { sha256: string; name: string }[] | undefined) ?? [])
        .map((a) => `${a.sha256} ${a.name}`)
        .join('\n');
      break;
    case 'ticker':
      fields['ticker.lines'] = ((p.lines as string[] | undefined) ?? []).join('\n');
      break;
    default:
      for (const [name, value] of Object.entries(p)) put(name, value);
  }
  return { kind: record.kind, fields };
}

/** The form field an issue at `payload.<field>…` belongs to. */
export function kindFieldOf(path: string): string {
  const [, field = ''] = path.split('.');
  return `payload.${field}`;
}
