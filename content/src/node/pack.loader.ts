import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Marked } from 'marked';
import type { Token } from 'marked';
import { z } from 'zod';
import { CATEGORY_IDS, DEFAULT_LOCALE, LOCALES } from '../categories';
import { parseKindPayload, payloadAssetRefs } from '../content-kind.schema';
import { ContentItem } from '../content-item.schema';
import { renderMarkdown, safeImageSrc, safeLinkHref } from '../markdown';
import { PackItemFrontMatter, PackManifest } from '../pack.schema';
import type { AssetMime } from '../protocol/manifest.schema';
import { parseFrontMatter } from './front-matter.parser';
import { detectImageMime } from './image-mime.detector';

/** One problem in a pack: the file at fault, relative to the pack root (`/`-separated), and what is wrong. */
export interface PackError {
  path: string;
  reason: string;
}

/** An image file of a pack, keyed by the sha256 of its bytes in `LoadedPack.assets`. */
export interface PackAsset {
  /** Absolute path of the file. */
  path: string;
  size: number;
  mime: AssetMime;
}

/** A pack that loaded without a single error. */
export interface LoadedPack {
  manifest: PackManifest;
  items: ContentItem[];
  assets: Map<string, PackAsset>;
}

/** Either the whole pack or every problem found in it. */
export type LoadPackResult = { ok: true; value: LoadedPack } | { ok: false; errors: PackError[] };

/** `updatedAt` of every item when pack.json has no `publishedAt`: a constant, so a pack loads the same everywhere. */
export const DEFAULT_PACK_PUBLISHED_AT = '2026-01-01T00:00:00.000Z';
/** An item file larger than this is refused before it is read (the body limit itself is ContentItem's). */
export const MAX_ITEM_FILE_BYTES = 1024 * 1024;
/** An image larger than this is refused: kiosks download every asset, often over thin links. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** The longest Markdown body an item may have, in UTF-16 code units (ContentItem's limit). */
export const MAX_BODY_LENGTH = 100_000;

const PACK_FILE = 'pack.json';
const ITEMS_FOLDER = 'items';
const StrictFrontMatter = z.strictObject(PackItemFrontMatter.shape);

// A required field that is absent reads better as "missing" than as zod's "expected string, received undefined".
const missingFieldMessage = (issue: { code?: string; input?: unknown }) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : undefined;

function describeIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field ? `${prefix} \`${field}\`: ${issue.message}` : `${prefix}: ${issue.message}`;
  });
}

const toPosix = (relative: string) => relative.split(path.sep).join('/');

/** True when `target` is `root` or inside it (both absolute and normalised). */
function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

type ImageProblem = 'not-found' | 'link-outside' | 'too-large' | 'not-an-image';
type ImageResult =
  { ok: true; sha256: string; asset: PackAsset } | { ok: false; problem: ImageProblem; size: number };

function describeImageProblem(
  shownAs: string,
  { problem, size }: { problem: ImageProblem; size: number },
): string {
  switch (problem) {
    case 'not-found':
      return `image ${shownAs} not found`;
    case 'link-outside':
      return `image ${shownAs} is a link to a file outside the pack`;
    case 'too-large':
      return `image ${shownAs} is ${size} bytes; the limit is ${MAX_IMAGE_BYTES}`;
    case 'not-an-image':
      return `${shownAs} is not an image (PNG, JPEG, WebP or GIF, by its bytes)`;
  }
}

/** Reads, checks and hashes pack images, each once however many items show it. */
class ImageReader {
  private readonly cache = new Map<string, Promise<ImageResult>>();
  /** Every image read successfully, by sha256. */
  readonly assets = new Map<string, PackAsset>();
  constructor(private readonly root: string) {}

  read(absolute: string): Promise<ImageResult> {
    let result = this.cache.get(absolute);
    if (!result) {
      result = this.readUncached(absolute);
      this.cache.set(absolute, result);
    }
    return result;
  }

  private async readUncached(absolute: string): Promise<ImageResult> {
    const size = await fileSize(absolute);
    if (size === null) return { ok: false, problem: 'not-found', size: 0 };
    // A symlink inside the pack could still point anywhere on the machine that builds or serves it.
    const real = await realpath(absolute);
    if (!isInside(this.root, real)) return { ok: false, problem: 'link-outside', size };
    if (size > MAX_IMAGE_BYTES) return { ok: false, problem: 'too-large', size };
    const bytes = await readFile(real);
    const mime = detectImageMime(bytes);
    if (!mime) return { ok: false, problem: 'not-an-image', size };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const asset = { path: real, size: bytes.length, mime };
    this.assets.set(sha256, asset);
    return { ok: true, sha256, asset };
  }
}

const markdownLexer = new Marked({ gfm: true });

/**
 * What the renderer would silently change in a body: links it drops, images it shows as text, raw HTML it
 * escapes. The kiosk stays safe either way; this tells the author before residents see a broken notice.
 */
function lintBody(body: string): string[] {
  const problems: string[] = [];
  const tokens = markdownLexer.lexer(body);
  markdownLexer.walkTokens(tokens, (token: Token) => {
    if (token.type === 'link' && safeLinkHref(token.href) === null) {
      problems.push(
        `link to "${token.href}" would be dropped: only http, https, mailto and tel links are shown`,
      );
    } else if (token.type === 'image' && safeImageSrc(token.href) === null) {
      problems.push(
        `image "${token.href}" in the body would not be shown: list pack images in the front matter \`images\``,
      );
    } else if (token.type === 'html' && token.text.trim()) {
      problems.push(
        `raw HTML "${token.text.trim().slice(0, 40)}" would be shown as text: use Markdown instead`,
      );
    }
  });
  return problems;
}

interface ParsedItem {
  file: string;
  item: ContentItem;
}

async function loadItem(
  root: string,
  file: string,
  updatedAt: string,
  images: ImageReader,
): Promise<{ item?: ContentItem; errors: string[] }> {
  const absolute = path.resolve(root, file);
  if (path.isAbsolute(file) || !isInside(root, absolute)) {
    return { errors: ['item path must be relative and inside the pack'] };
  }
  if (!file.endsWith('.md')) return { errors: ['item file must be Markdown (.md)'] };
  const size = await fileSize(absolute);
  if (size === null) return { errors: ['missing file: listed in pack.json but not found'] };
  if (size > MAX_ITEM_FILE_BYTES) {
    return { errors: [`file is ${size} bytes; an item file may be at most ${MAX_ITEM_FILE_BYTES}`] };
  }
  const real = await realpath(absolute);
  if (!isInside(root, real)) return { errors: ['item file is a link to a file outside the pack'] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(real));
  } catch {
    return { errors: ['file is not valid UTF-8 text'] };
  }

  const parsed = parseFrontMatter(text);
  if (!parsed.ok) {
    const where = parsed.error.line !== undefined ? ` (line ${parsed.error.line})` : '';
    return { errors: [`${parsed.error.message}${where}`] };
  }
  const front = StrictFrontMatter.safeParse(parsed.value.data, { error: missingFieldMessage });
  if (!front.success) return { errors: describeIssues('front matter field', front.error) };
  const meta = front.data;
  const errors: string[] = [];

  // The file layout `items/<category>/<slug>.<locale>.md` is a convention; when a file follows it, it must agree
  // with its front matter, which catches the usual slip of copying a translation and not editing it.
  const folder = path.basename(path.dirname(absolute));
  if ((CATEGORY_IDS as readonly string[]).includes(folder) && folder !== meta.category) {
    errors.push(
      `front matter field \`category\`: is "${meta.category}" but the file is in the folder "${folder}"`,
    );
  }
  const nameLocale = LOCALES.find((locale) => file.endsWith(`.${locale}.md`));
  if (nameLocale && nameLocale !== meta.locale) {
    errors.push(`front matter field \`locale\`: is "${meta.locale}" but the file name says "${nameLocale}"`);
  }

  const body = parsed.value.body;
  if (body.length > MAX_BODY_LENGTH) {
    errors.push(`body is ${body.length} characters; the limit is ${MAX_BODY_LENGTH}`);
  } else {
    try {
      renderMarkdown(body);
      errors.push(...lintBody(body));
    } catch (error) {
      errors.push(`body Markdown does not render: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const itemImages: ContentItem['images'] = [];
  for (const [index, image] of meta.images.entries()) {
    const target = path.resolve(path.dirname(absolute), image.file);
    const shownAs = `"${image.file}"`;
    if (!isInside(root, target)) {
      errors.push(`front matter field \`images.${index}.file\`: image ${shownAs} is outside the pack`);
      continue;
    }
    const result = await images.read(target);
    if (result.ok) itemImages.push({ sha256: result.sha256, alt: image.alt });
    else {
      const described = describeImageProblem(`${shownAs} (${toPosix(path.relative(root, target))})`, result);
      errors.push(`front matter field \`images.${index}.file\`: ${described}`);
    }
  }
  if (errors.length > 0) return { errors };

  const item = ContentItem.safeParse({
    id: meta.id,
    category: meta.category,
    locale: meta.locale,
    title: meta.title,
    summary: meta.summary,
    body,
    images: itemImages,
    validFrom: meta.validFrom,
    validUntil: meta.validUntil,
    kind: meta.kind,
    payload: meta.payload,
    version: 1,
    updatedAt,
  });
  if (!item.success) return { errors: describeIssues('front matter field', item.error) };
  // A payload's files are imported only as the item's `images`: a sha256 not among them would be missing on
  // every kiosk.
  const kinded = parseKindPayload(item.data.kind, item.data.payload);
  const shown = new Set(itemImages.map((image) => image.sha256));
  const unlisted = kinded.success ? payloadAssetRefs(kinded.data).filter((sha256) => !shown.has(sha256)) : [];
  if (unlisted.length > 0) {
    return {
      errors: unlisted.map(
        (sha256) =>
          `front matter field \`payload\`: names the file ${sha256}, which is not one of this item's \`images\``,
      ),
    };
  }
  return { item: item.data, errors: [] };
}

async function readManifest(
  root: string,
): Promise<{ ok: true; value: PackManifest } | { ok: false; errors: PackError[] }> {
  const file = path.join(root, PACK_FILE);
  const fail = (reason: string) => ({ ok: false as const, errors: [{ path: PACK_FILE, reason }] });
  if ((await fileSize(file)) === null) return fail('missing file: the pack root has no pack.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return fail(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const manifest = PackManifest.safeParse(json, { error: missingFieldMessage });
  if (!manifest.success) {
    return {
      ok: false,
      errors: describeIssues('field', manifest.error).map((reason) => ({ path: PACK_FILE, reason })),
    };
  }
  return { ok: true, value: manifest.data };
}

/** Every `.md` file under `items/`, relative to the root, so files left out of pack.json are noticed. */
async function listItemFiles(root: string): Promise<string[]> {
  try {
    const entries = await readdir(path.join(root, ITEMS_FOLDER), { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
      .map((entry) => toPosix(path.relative(root, path.join(entry.parentPath, entry.name))))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Checks the translations of each item together: one per locale, a zh-CN original, one category. `failed` holds the
 * files that did not load: a translation whose zh-CN sibling is among them already has its error, so it gets no second.
 */
function checkTranslations(parsed: ParsedItem[], failed: Set<string>): PackError[] {
  const errors: PackError[] = [];
  const byId = new Map<string, ParsedItem[]>();
  for (const entry of parsed) {
    const group = byId.get(entry.item.id) ?? [];
    const twin = group.find((other) => other.item.locale === entry.item.locale);
    if (twin) {
      errors.push({
        path: entry.file,
        reason: `duplicate item: id "${entry.item.id}" in locale ${entry.item.locale} is already in ${twin.file}`,
      });
      continue;
    }
    group.push(entry);
    byId.set(entry.item.id, group);
  }
  for (const [id, group] of byId) {
    // zh-CN is the language every kiosk falls back to, so an item must exist in it.
    if (!group.some((entry) => entry.item.locale === DEFAULT_LOCALE)) {
      for (const entry of group) {
        const sibling = entry.file.replace(
          new RegExp(`\\.${entry.item.locale}\\.md$`),
          `.${DEFAULT_LOCALE}.md`,
        );
        if (failed.has(sibling)) continue;
        errors.push({
          path: entry.file,
          reason: `item "${id}" has no ${DEFAULT_LOCALE} version (the fallback language)`,
        });
      }
    }
    const original = group.find((entry) => entry.item.locale === DEFAULT_LOCALE) ?? group[0];
    for (const entry of group) {
      if (original && entry.item.category !== original.item.category) {
        errors.push({
          path: entry.file,
          reason: `front matter field \`category\`: "${entry.item.category}" differs from "${original.item.category}" in ${original.file}`,
        });
      }
    }
  }
  return errors;
}

/**
 * Loads a content pack: `pack.json`, its Markdown item files and the images they show. Reports every problem in
 * every file rather than stopping at the first, so an author fixes a pack in one round.
 */
export async function loadPack(dir: string): Promise<LoadPackResult> {
  let root: string;
  try {
    root = await realpath(path.resolve(dir));
  } catch {
    return { ok: false, errors: [{ path: '.', reason: `pack folder ${dir} not found` }] };
  }
  const manifest = await readManifest(root);
  if (!manifest.ok) return manifest;

  const updatedAt = manifest.value.publishedAt ?? DEFAULT_PACK_PUBLISHED_AT;
  const images = new ImageReader(root);
  const errors: PackError[] = [];
  const listed = new Set<string>();
  const files: string[] = [];
  for (const file of manifest.value.items) {
    const normal = path.posix.normalize(file);
    if (listed.has(normal))
      errors.push({ path: PACK_FILE, reason: `field \`items\`: ${file} is listed twice` });
    else files.push(file);
    listed.add(normal);
  }

  const results = await Promise.all(files.map((file) => loadItem(root, file, updatedAt, images)));
  const parsed: ParsedItem[] = [];
  const failed = new Set<string>();
  results.forEach((result, index) => {
    const file = path.posix.normalize(files[index] ?? '');
    for (const reason of result.errors) errors.push({ path: file, reason });
    if (result.item) parsed.push({ file, item: result.item });
    else failed.add(file);
  });
  errors.push(...checkTranslations(parsed, failed));
  for (const file of await listItemFiles(root)) {
    if (!listed.has(file))
      errors.push({ path: file, reason: 'not listed in pack.json `items`, so it would be ignored' });
  }
  if (errors.length > 0) return { ok: false, errors };

  // Built in item order, not in the order reads happened to finish, so the same pack gives the same map.
  const assets = new Map<string, PackAsset>();
  for (const { item } of parsed) {
    for (const image of item.images) {
      const asset = images.assets.get(image.sha256);
      if (asset) assets.set(image.sha256, asset);
    }
  }
  return { ok: true, value: { manifest: manifest.value, items: parsed.map((entry) => entry.item), assets } };
}
