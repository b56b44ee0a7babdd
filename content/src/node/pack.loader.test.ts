import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_IDS, LOCALES } from '../categories';
import { CONTENT_KINDS, parseKindPayload } from '../content-kind.schema';
import { ContentItem } from '../content-item.schema';
import { DEFAULT_PACK_PUBLISHED_AT, loadPack } from './pack.loader';
import type { LoadedPack, PackError } from './pack.loader';

const CONTENT_ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(CONTENT_ROOT, 'packs/demo');
const TSX = path.resolve(CONTENT_ROOT, '../node_modules/.bin/tsx');
const CLI = path.join(CONTENT_ROOT, 'src/node/validate-pack.cli.ts');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'linli-pack-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let copies = 0;
/** A fresh copy of the demo pack in the scratch folder, to break in one test. */
async function copyDemo(): Promise<string> {
  const dir = path.join(scratch, `pack-${++copies}`);
  await cp(DEMO, dir, { recursive: true });
  return dir;
}

async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const target = path.join(dir, file);
  const before = await readFile(target, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`); // a broken pack must really be broken
  await writeFile(target, after);
}

async function editManifest(dir: string, change: (manifest: Record<string, unknown>) => void): Promise<void> {
  await edit(dir, 'pack.json', (text) => {
    const manifest = JSON.parse(text) as Record<string, unknown>;
    change(manifest);
    return JSON.stringify(manifest, null, 2);
  });
}

async function errorsOf(dir: string): Promise<PackError[]> {
  const result = await loadPack(dir);
  if (result.ok) throw new Error('expected the pack to fail to load');
  return result.errors;
}

async function demo(): Promise<LoadedPack> {
  const result = await loadPack(DEMO);
  if (!result.ok)
    throw new Error(`demo pack failed:\n${result.errors.map((e) => `${e.path}: ${e.reason}`).join('\n')}`);
  return result.value;
}

describe('the demo pack', () => {
  it('loads with no errors', async () => {
    const result = await loadPack(DEMO);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('has at least 4 items in every category, in zh-CN and in en', async () => {
    const { items } = await demo();
    for (const category of CATEGORY_IDS) {
      for (const locale of LOCALES) {
        const count = items.filter((item) => item.category === category && item.locale === locale).length;
        expect(count, `${category} ${locale}`).toBeGreaterThanOrEqual(4);
      }
    }
  });

  it('has every item in both languages', async () => {
    const { items } = await demo();
    const ids = new Set(items.map((item) => item.id));
    expect(ids.size).toBeGreaterThanOrEqual(40);
    for (const id of ids) {
      expect(
        items
          .filter((item) => item.id === id)
          .map((item) => item.locale)
          .sort(),
        id,
      ).toEqual(['en', 'zh-CN']);
    }
  });

  it('produces valid content items stamped with the pack date', async () => {
    const { manifest, items } = await demo();
    expect(manifest.publishedAt).toBe('2026-04-01T00:00:00.000Z');
    for (const item of items) {
      expect(ContentItem.safeParse(item).success, item.id).toBe(true);
      expect(item.version).toBe(1);
      expect(item.updatedAt).toBe(manifest.publishedAt);
    }
  });

  it('lists every image an item shows, with its true hash, size and type', async () => {
    const { items, assets } = await demo();
    const shown = new Set(items.flatMap((item) => item.images.map((image) => image.sha256)));
    expect([...assets.keys()].sort()).toEqual([...shown].sort());
    for (const category of CATEGORY_IDS) {
      expect(
        items.some((item) => item.category === category && item.images.length > 0),
        `${category} has an image`,
      ).toBe(true);
    }
    for (const [sha256, asset] of assets) {
      const bytes = await readFile(asset.path);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
      expect(asset.size).toBe(bytes.length);
      expect(asset.mime).toBe('image/png');
      expect(asset.size).toBeLessThan(150 * 1024);
      expect(path.isAbsolute(asset.path) && asset.path.startsWith(path.join(DEMO, 'images'))).toBe(true);
    }
  });

  it('holds items of the kinds a kiosk shows besides notices, in both languages, each valid for its kind', async () => {
    const { items } = await demo();
    for (const item of items) {
      const parsed = parseKindPayload(item.kind, item.payload);
      expect(parsed.success, `${item.id} ${item.locale}: ${parsed.success || parsed.error.message}`).toBe(
        true,
      );
    }
    const kinds = (locale: string) =>
      new Set(items.filter((item) => item.locale === locale).map((item) => item.kind));
    for (const locale of LOCALES) {
      expect([...kinds(locale)].sort(), locale).toEqual(['notice', 'place', 'provider', 'qr', 'ticker']);
    }
    // a translation is the same kind, and a QR code opens the same https page in either language
    for (const item of items.filter((i) => i.locale === 'en')) {
      const chinese = items.find((i) => i.id === item.id && i.locale === 'zh-CN')!;
      expect(item.kind, item.id).toBe(chinese.kind);
      if (item.kind === 'qr') {
        expect(item.payload.url, item.id).toBe(chinese.payload.url);
        expect(String(item.payload.url)).toMatch(/^https:\/\//);
      }
    }
    expect(CONTENT_KINDS).toEqual(expect.arrayContaining([...kinds('zh-CN')]));
  });

  it('loads to the same result every time (no clock, no file times, no read order)', async () => {
    const first = await demo();
    const second = await demo();
    expect(second.items).toEqual(first.items);
    expect([...second.assets.entries()]).toEqual([...first.assets.entries()]);
  });
});

describe('demo pack content rules', () => {
  const han = (text: string) => (text.match(/\p{Script=Han}/gu) ?? []).length;

  it('keeps zh-CN titles short, summaries to one sentence and bodies between 120 and 400 characters', async () => {
    const { items } = await demo();
    for (const item of items.filter((i) => i.locale === 'zh-CN')) {
      expect([...item.title].length, `${item.id} title`).toBeLessThanOrEqual(30);
      expect(item.summary.length, `${item.id} summary`).toBeGreaterThan(10);
      expect(item.summary.replace(/。$/, ''), `${item.id} summary is one sentence`).not.toMatch(/[。！？]/);
      // a place, provider, ticker or QR code says most in its own fields: its body is a short note
      const [least, most] = item.kind === 'notice' ? [120, 400] : [15, 150];
      expect(han(item.body), `${item.id} body`).toBeGreaterThanOrEqual(least);
      expect(han(item.body), `${item.id} body`).toBeLessThanOrEqual(most);
    }
  });

  it('has real English translations, not copies or placeholders', async () => {
    const { items } = await demo();
    for (const english of items.filter((i) => i.locale === 'en')) {
      const chinese = items.find((i) => i.id === english.id && i.locale === 'zh-CN');
      expect(
        han(english.title + english.summary + english.body + JSON.stringify(english.payload)),
        english.id,
      ).toBe(0);
      expect(english.body.split(/\s+/).length, english.id).toBeGreaterThan(
        english.kind === 'notice' ? 80 : 10,
      );
      expect(english.body).not.toMatch(/lorem|TODO|TBD|placeholder/i);
      // headings and list structure survive translation
      const shape = (body: string) => (body.match(/^#+ /gm) ?? []).length;
      expect(shape(english.body), english.id).toBe(shape(chinese?.body ?? ''));
    }
  });

  it('uses only fictional 010-6xxx-xxxx numbers, public service numbers and dates around 2026', async () => {
    const { items } = await demo();
    const publicNumbers = new Set(['110', '119', '120', '12348']);
    let phones = 0;
    let years = 0;
    for (const item of items) {
      const text = `${item.summary}\n${item.body}\n${Object.values(item.payload).flat().join('\n')}`;
      for (const phone of text.match(/\b0\d{2,3}-[\d-]+/g) ?? []) {
        expect(phone, item.id).toMatch(/^010-6\d{3}-\d{4}$/);
        phones++;
      }
      for (const short of text.match(/(?:拨打|call|热线|hotline)\s*\**\d{3,5}(?![\d-])/gi) ?? []) {
        expect(publicNumbers.has(short.replace(/\D/g, '')), `${item.id}: ${short}`).toBe(true);
      }
      for (const year of text.match(/(?<![\d,.-])20\d{2}(?![\d,.-])/g) ?? []) {
        expect(Number(year), item.id).toBeGreaterThanOrEqual(2025);
        expect(Number(year), item.id).toBeLessThanOrEqual(2027);
        years++;
      }
    }
    // the checks above looked at something
    expect(phones).toBeGreaterThan(40);
    expect(years).toBeGreaterThan(20);
  });
});

describe('broken packs', () => {
  const LEGAL_EN = 'items/legal/legal-aid.en.md';
  const LEGAL_ZH = 'items/legal/legal-aid.zh-CN.md';
  const LAWYER_ZH = 'items/legal/lawyer-on-duty.zh-CN.md';
  const LAWYER_EN = 'items/legal/lawyer-on-duty.en.md';

  // [name, how to break a fresh copy, the path at fault, words the reason must contain]
  const cases: [string, (dir: string) => Promise<void>, string, string[]][] = [
    ['missing pack.json', (dir) => unlink(path.join(dir, 'pack.json')), 'pack.json', ['missing file']],
    [
      'pack.json not JSON',
      (dir) => edit(dir, 'pack.json', (t) => t.replace('{', '{,')),
      'pack.json',
      ['invalid JSON'],
    ],
    [
      'pack.json with a bad id',
      (dir) => editManifest(dir, (m) => (m.id = 'Demo Pack')),
      'pack.json',
      ['field `id`', 'lower-case'],
    ],
    [
      'pack.json without items',
      (dir) => editManifest(dir, (m) => delete m.items),
      'pack.json',
      ['field `items`', 'missing'],
    ],
    ['an item file that is missing', (dir) => unlink(path.join(dir, LEGAL_EN)), LEGAL_EN, ['missing file']],
    [
      'a payload its kind refuses',
      (dir) =>
        edit(dir, 'items/interaction/suggestions-qr.en.md', (t) =>
          t.replace('url: https://xingfuli.example.org/yijian', 'url: javascript:alert(1)'),
        ),
      'items/interaction/suggestions-qr.en.md',
      ['`payload.url`'],
    ],
    [
      'an unknown kind',
      (dir) =>
        edit(dir, 'items/services/service-ticker.en.md', (t) => t.replace('kind: ticker', 'kind: marquee')),
      'items/services/service-ticker.en.md',
      ['`kind`'],
    ],
    [
      'a payload field the kind does not have',
      (dir) =>
        edit(dir, 'items/guide/pharmacy-card.en.md', (t) =>
          t.replace('  placeKind:', '  rating: 5\n  placeKind:'),
        ),
      'items/guide/pharmacy-card.en.md',
      ['`payload`', 'rating'],
    ],
    [
      'a payload naming a file that is not one of the item images',
      (dir) =>
        edit(dir, 'items/guide/pharmacy-card.en.md', (t) =>
          t.replace('  placeKind:', `  map: ${'a'.repeat(64)}\n  placeKind:`),
        ),
      'items/guide/pharmacy-card.en.md',
      ['`payload`', 'a'.repeat(64), '`images`'],
    ],
    [
      'invalid YAML',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('title: How to apply', 'title: How to: apply:')),
      LEGAL_EN,
      ['invalid YAML', 'line 5'],
    ],
    [
      'a repeated YAML key',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('locale: en\n', 'locale: en\nlocale: en\n')),
      LEGAL_EN,
      ['invalid YAML', 'unique'],
    ],
    [
      'no front matter',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace(/^---\n[\s\S]*?\n---\n/, '')),
      LEGAL_EN,
      ['no front matter'],
    ],
    [
      'unclosed front matter',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace(/\n---\n/, '\n\n')),
      LEGAL_EN,
      ['not closed'],
    ],
    [
      'an unknown category',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('category: legal', 'category: weather')),
      LEGAL_EN,
      ['field `category`'],
    ],
    [
      'a missing title',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace(/^title: .*\n/m, '')),
      LEGAL_EN,
      ['field `title`', 'missing'],
    ],
    [
      'a title over 200 characters',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace(/^title: .*$/m, `title: ${'x'.repeat(201)}`)),
      LEGAL_EN,
      ['field `title`', '200'],
    ],
    [
      'a misspelt field',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('summary:', 'sumary:')),
      LEGAL_EN,
      ['sumary'],
    ],
    [
      'an invalid date',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('locale: en\n', 'locale: en\nvalidFrom: next week\n')),
      LEGAL_EN,
      ['field `validFrom`'],
    ],
    [
      'validUntil before validFrom',
      (dir) =>
        edit(dir, LEGAL_EN, (t) =>
          t.replace(
            'locale: en\n',
            'locale: en\nvalidFrom: "2026-05-01T00:00:00.000Z"\nvalidUntil: "2026-04-01T00:00:00.000Z"\n',
          ),
        ),
      LEGAL_EN,
      ['field `validUntil`', 'after validFrom'],
    ],
    [
      'a locale that contradicts the file name',
      (dir) => edit(dir, LEGAL_EN, (t) => t.replace('locale: en', 'locale: zh-CN')),
      LEGAL_EN,
      ['field `locale`', 'file name says "en"'],
    ],
    [
      'a category that contradicts the folder',
      (dir) =>
        Promise.all([
          edit(dir, LEGAL_EN, (t) => t.replace('category: legal', 'category: science')),
          edit(dir, LEGAL_ZH, (t) => t.replace('category: legal', 'category: science')),
        ]).then(() => undefined),
      LEGAL_EN,
      ['field `category`', 'folder "legal"'],
    ],
    [
      'translations in different categories',
      async (dir) => {
        await cp(path.join(dir, LEGAL_EN), path.join(dir, 'items/science/legal-aid.en.md'));
        await unlink(path.join(dir, LEGAL_EN));
        await edit(dir, 'items/science/legal-aid.en.md', (t) =>
          t.replace('category: legal', 'category: science'),
        );
        await edit(dir, 'pack.json', (t) => t.replace(LEGAL_EN, 'items/science/legal-aid.en.md'));
      },
      'items/science/legal-aid.en.md',
      ['field `category`', `differs from "legal" in ${LEGAL_ZH}`],
    ],
    [
      'a missing image',
      (dir) => unlink(path.join(dir, 'images/legal.png')),
      LAWYER_ZH,
      ['field `images.0.file`', 'not found', 'images/legal.png'],
    ],
    [
      'an image outside the pack',
      async (dir) => {
        await cp(path.join(dir, 'images/legal.png'), path.join(scratch, 'outside.png'));
        await edit(dir, LAWYER_EN, (t) => t.replace('../../images/legal.png', '../../../outside.png'));
      },
      LAWYER_EN,
      ['field `images.0.file`', 'outside the pack'],
    ],
    [
      'an image that links outside the pack',
      async (dir) => {
        await cp(path.join(dir, 'images/legal.png'), path.join(scratch, 'linked.png'));
        await unlink(path.join(dir, 'images/legal.png'));
        await symlink(path.join(scratch, 'linked.png'), path.join(dir, 'images/legal.png'));
      },
      LAWYER_ZH,
      ['field `images.0.file`', 'link to a file outside the pack'],
    ],
    [
      'an "image" that is not one',
      (dir) =>
        writeFile(path.join(dir, 'images/legal.png'), '<svg xmlns="http://www.w3.org/2000/svg" onload="x"/>'),
      LAWYER_ZH,
      ['is not an image'],
    ],
    [
      'a duplicate (id, locale)',
      async (dir) => {
        await cp(path.join(dir, LEGAL_EN), path.join(dir, 'items/legal/legal-aid-copy.en.md'));
        await editManifest(dir, (m) => (m.items as string[]).push('items/legal/legal-aid-copy.en.md'));
      },
      'items/legal/legal-aid-copy.en.md',
      ['duplicate item', 'legal-aid', `already in ${LEGAL_EN}`],
    ],
    [
      'an item without a zh-CN version',
      async (dir) => {
        await unlink(path.join(dir, LEGAL_ZH));
        await editManifest(dir, (m) => (m.items = (m.items as string[]).filter((f) => f !== LEGAL_ZH)));
      },
      LEGAL_EN,
      ['"legal-aid" has no zh-CN version'],
    ],
    [
      'a body over the limit',
      (dir) => edit(dir, LEGAL_EN, (t) => `${t}\n${'long text. '.repeat(9100)}\n`),
      LEGAL_EN,
      ['body is', 'limit is 100000'],
    ],
    [
      'a link the renderer would drop',
      (dir) => edit(dir, LEGAL_EN, (t) => `${t}\n[click](javascript:alert(1))\n`),
      LEGAL_EN,
      ['link to "javascript:alert(1)" would be dropped'],
    ],
    [
      'a body image by path',
      (dir) => edit(dir, LEGAL_EN, (t) => `${t}\n![map](../../images/legal.png)\n`),
      LEGAL_EN,
      ['image "../../images/legal.png" in the body would not be shown'],
    ],
    [
      'raw HTML in the body',
      (dir) => edit(dir, LEGAL_EN, (t) => `${t}\n<div onclick="x">hi</div>\n`),
      LEGAL_EN,
      ['raw HTML', 'shown as text'],
    ],
    [
      'an item file left out of pack.json',
      (dir) => cp(path.join(dir, LEGAL_EN), path.join(dir, 'items/legal/forgotten.en.md')),
      'items/legal/forgotten.en.md',
      ['not listed in pack.json'],
    ],
    [
      'an item listed twice',
      (dir) => editManifest(dir, (m) => (m.items as string[]).push(LEGAL_EN)),
      'pack.json',
      ['field `items`', 'listed twice'],
    ],
    [
      'an item path outside the pack',
      (dir) => editManifest(dir, (m) => (m.items as string[]).push('../elsewhere.zh-CN.md')),
      '../elsewhere.zh-CN.md',
      ['inside the pack'],
    ],
    [
      'an item file that links outside the pack',
      async (dir) => {
        await cp(path.join(dir, LEGAL_EN), path.join(scratch, 'linked.en.md'));
        await unlink(path.join(dir, LEGAL_EN));
        await symlink(path.join(scratch, 'linked.en.md'), path.join(dir, LEGAL_EN));
      },
      LEGAL_EN,
      ['link to a file outside the pack'],
    ],
    [
      'a file that is not UTF-8',
      (dir) => writeFile(path.join(dir, LEGAL_EN), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a])),
      LEGAL_EN,
      ['not valid UTF-8'],
    ],
  ];

  it.each(cases)('reports %s', async (_name, breakIt, faultPath, words) => {
    const dir = await copyDemo();
    await breakIt(dir);
    const errors = await errorsOf(dir);
    const atPath = errors.filter((error) => error.path === faultPath);
    expect(atPath, JSON.stringify(errors, null, 2)).not.toEqual([]);
    expect(
      atPath.some((error) => words.every((word) => error.reason.includes(word))),
      `no reason at ${faultPath} contains ${JSON.stringify(words)}:\n${JSON.stringify(atPath, null, 2)}`,
    ).toBe(true);
  });

  it('reports a missing image at every item that shows it', async () => {
    const dir = await copyDemo();
    await unlink(path.join(dir, 'images/legal.png'));
    const paths = (await errorsOf(dir)).map((error) => error.path).sort();
    expect(paths).toEqual([LAWYER_EN, LAWYER_ZH]);
  });

  it('reports all 3 bad files of a pack with 3 different problems, and nothing else', async () => {
    const dir = await copyDemo();
    await edit(dir, 'items/government/residence-permit.en.md', (t) => t.replace('title: ', 'title: [oops '));
    await edit(dir, 'items/guide/dining.zh-CN.md', (t) =>
      t.replace('images/guide.png', 'images/no-such.png'),
    );
    await edit(dir, 'items/science/waste-sorting.zh-CN.md', (t) =>
      t.replace('category: science', 'category: sport'),
    );
    expect(await errorsOf(dir)).toEqual([
      {
        path: 'items/government/residence-permit.en.md',
        reason: expect.stringContaining('invalid YAML') as string,
      },
      {
        path: 'items/guide/dining.zh-CN.md',
        reason: expect.stringMatching(/images\.0\.file.*not found/) as string,
      },
      {
        path: 'items/science/waste-sorting.zh-CN.md',
        reason: expect.stringContaining('front matter field `category`') as string,
      },
    ]);
  });

  it('reports a missing pack folder', async () => {
    const errors = await errorsOf(path.join(scratch, 'no-such-pack'));
    expect(errors).toEqual([{ path: '.', reason: expect.stringContaining('not found') as string }]);
  });
});

describe('pack details', () => {
  it('reads files written with a BOM and CRLF line ends the same as plain ones', async () => {
    const dir = await copyDemo();
    const file = 'items/legal/mediation.zh-CN.md';
    await edit(dir, file, (t) => `\uFEFF${t.replace(/\n/g, '\r\n')}`);
    const result = await loadPack(dir);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const original = (await demo()).items.find((i) => i.id === 'mediation' && i.locale === 'zh-CN');
    expect(result.value.items.find((i) => i.id === 'mediation' && i.locale === 'zh-CN')).toEqual(original);
  });

  it('stamps items with a constant date when pack.json has no publishedAt', async () => {
    const dir = await copyDemo();
    await editManifest(dir, (m) => delete m.publishedAt);
    const result = await loadPack(dir);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(new Set(result.value.items.map((i) => i.updatedAt))).toEqual(new Set([DEFAULT_PACK_PUBLISHED_AT]));
  });

  it('carries front matter into the content item', async () => {
    const dir = await copyDemo();
    await edit(dir, 'items/legal/mediation.en.md', (t) =>
      t.replace('locale: en\n', 'locale: en\nvalidFrom: "2026-05-01T00:00:00.000Z"\n'),
    );
    const result = await loadPack(dir);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const item = result.value.items.find((i) => i.id === 'mediation' && i.locale === 'en');
    expect(item).toMatchObject({
      category: 'legal',
      title: "People's mediation for disputes between neighbours",
      validFrom: '2026-05-01T00:00:00.000Z',
      validUntil: null,
      images: [],
    });
    expect(item?.body.startsWith('## What people')).toBe(true);
    const lawyer = result.value.items.find((i) => i.id === 'lawyer-on-duty' && i.locale === 'zh-CN');
    const legalPng = await readFile(path.join(dir, 'images/legal.png'));
    expect(lawyer?.images).toEqual([
      { sha256: createHash('sha256').update(legalPng).digest('hex'), alt: '法律服务插图：天平' },
    ]);
  });

  it('accepts JPEG, GIF and WebP images by their bytes', async () => {
    const dir = await copyDemo();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
    await writeFile(path.join(dir, 'images/a.jpg'), jpeg);
    await writeFile(path.join(dir, 'images/b.gif'), gif);
    await writeFile(path.join(dir, 'images/c.webp'), webp);
    await edit(dir, 'items/legal/mediation.en.md', (t) =>
      t.replace(
        'locale: en\n',
        'locale: en\nimages:\n  - file: ../../images/a.jpg\n  - file: ../../images/b.gif\n  - file: ../../images/c.webp\n',
      ),
    );
    const result = await loadPack(dir);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const mimes = [...result.value.assets.values()].map((asset) => asset.mime);
    expect(mimes).toEqual(expect.arrayContaining(['image/jpeg', 'image/gif', 'image/webp', 'image/png']));
  });
});

describe('validate-pack CLI', () => {
  const run = (args: string[]) =>
    promisify(execFile)(TSX, [CLI, ...args], { cwd: CONTENT_ROOT }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('prints a summary and exits 0 for the demo pack', async () => {
    const { code, stdout } = await run([DEMO]);
    expect(code).toBe(0);
    expect(stdout).toContain('90 items (zh-CN 45, en 45) in 10 categories, 10 images');
  });

  it('prints every problem and exits 1 for a broken pack', async () => {
    const dir = await copyDemo();
    await unlink(path.join(dir, 'items/legal/legal-aid.en.md'));
    await edit(dir, 'items/guide/dining.zh-CN.md', (t) => t.replace('category: guide', 'category: food'));
    const { code, stderr } = await run([dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('2 problems');
    expect(stderr).toContain('items/legal/legal-aid.en.md: missing file');
    expect(stderr).toContain('items/guide/dining.zh-CN.md: front matter field `category`');
  });

  it('exits 2 with usage when no folder is given', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: validate-pack <pack-dir>');
  });
});
