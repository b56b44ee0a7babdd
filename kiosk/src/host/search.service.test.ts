import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManifestV1 } from '@linli/content';
import { migrate, openCacheDatabase, type CacheDatabase } from './cache/cache-database';
import { CacheRepository } from './cache/cache.repository';
import { buildSnapshot } from './content.service';
import { plainTextOf, queryTerms, SearchService, searchEntriesOf, snippetOf } from './search.service';
import { fixtureInstant, fixtureItem } from './testing/fixture-content';
import { makeTempDir } from './testing/temp-dir';

const now = new Date(fixtureInstant(0));
const item = (
  id: string,
  category: 'services' | 'legal' | 'science',
  zh: [string, string, string],
  en?: [string, string, string],
  window: { validFrom?: string; validUntil?: string } = {},
) => [
  { ...fixtureItem({ id, category }, 'zh-CN', { title: zh[0], summary: zh[1], body: zh[2] }), ...window },
  ...(en
    ? [{ ...fixtureItem({ id, category }, 'en', { title: en[0], summary: en[1], body: en[2] }), ...window }]
    : []),
];

// parsed like every manifest the kiosk keeps, so the schema's defaults are there
const manifest = ManifestV1.parse({
  schema: 'linli.manifest.v1',
  deviceId: 'dev-1',
  version: 'm1',
  generatedAt: fixtureInstant(0),
  assets: [],
  items: [
    ...item(
      'water-cut',
      'services',
      ['明日停水通知', '因管道检修，9:00 至 15:00 停水。', '请**提前储水**，给您带来不便敬请谅解。'],
      ['Water cut tomorrow', 'Pipe repairs: no water from 9:00 to 15:00.', 'Please store some water.'],
    ),
    ...item(
      'legal-aid',
      'legal',
      ['免费法律咨询', '每周三下午，律师在服务站答疑。', '可咨询合同、继承、邻里纠纷等问题。'],
      ['Free legal advice', 'Lawyers answer questions on Wednesdays.', 'Contracts, inheritance, disputes.'],
    ),
    ...item('fire', 'science', ['冬季防火提示', '', '不要在楼道停放电动车，不要私拉电线充电。']),
    // Not yet valid: indexed, but never found before its time.
    ...item('future', 'services', ['下月停水预告', '', ''], undefined, { validFrom: fixtureInstant(-5) }),
  ],
});

let temp: ReturnType<typeof makeTempDir>;
let db: CacheDatabase;
afterEach(() => {
  db?.close();
  temp?.remove();
});

function searchService(): SearchService {
  temp = makeTempDir();
  db = openCacheDatabase(join(temp.dir, 'cache.db'));
  migrate(db);
  const repository = new CacheRepository(db);
  const service = new SearchService(repository, () => buildSnapshot(manifest, now, '{sha256}').snapshot);
  expect(service.ensureIndex(manifest)).toBe(true);
  expect(service.ensureIndex(manifest)).toBe(false);
  return service;
}

describe('SearchService', () => {
  it.each([
    // [query, locale, expected ids, method]
    ['停水', 'zh-CN', ['water-cut'], 'like'], // two characters: below what a trigram index can look up
    ['水', 'zh-CN', ['water-cut'], 'like'], // one character
    ['法律咨询', 'zh-CN', ['legal-aid'], 'fts'],
    ['电动车', 'zh-CN', ['fire'], 'fts'], // found in the body
    ['提前储水', 'zh-CN', ['water-cut'], 'fts'], // body text after Markdown (**…**) is rendered away
    ['WATER', 'en', ['water-cut'], 'fts'], // case-insensitive, English
    ['legal advice', 'en', ['legal-aid'], 'fts'], // every term must match
    ['lawyers 停水', 'en', [], 'like'], // one short term sends the whole query to LIKE
    ['停 lawyers', 'zh-CN', [], 'like'],
    ['', 'zh-CN', [], 'none'],
  ] as const)('%j (%s) finds %j by %s', (query, locale, ids, method) => {
    const results = searchService().search({ query, locale });
    expect(results.method).toBe(method);
    expect(results.hits.map((hit) => hit.id)).toEqual(ids);
  });

  it('shows titles in the resident’s language whichever language matched, with a snippet around the match', () => {
    const service = searchService();
    const [hit] = service.search({ query: 'pipe repairs', locale: 'zh-CN' }).hits;
    expect(hit).toMatchObject({ id: 'water-cut', category: 'services', title: '明日停水通知' });
    expect(hit!.snippet).toContain('Pipe repairs');
    expect(service.search({ query: '停水', locale: 'en' }).hits[0]!.title).toBe('Water cut tomorrow');
  });

  it.each(['"', '停水" OR "x', 'NEAR(a b)', '*', '%', '_', "'; DROP TABLE search_index; --", 'a\\'])(
    'treats %j as text, never as query syntax',
    (query) => {
      const service = searchService();
      expect(() => service.search({ query, locale: 'zh-CN' })).not.toThrow();
      expect(service.search({ query, locale: 'zh-CN' }).hits).toEqual([]);
      expect(service.search({ query: '停水', locale: 'zh-CN' }).hits).toHaveLength(1);
    },
  );
});

describe('search helpers', () => {
  it('turns Markdown into the words a resident reads', () => {
    expect(plainTextOf('## 标题\n\n**加粗** & [链接](https://example.com) <b>x</b>')).toBe(
      '标题 加粗 & 链接 <b>x</b>',
    );
    expect(searchEntriesOf(manifest)).toHaveLength(manifest.items.length);
  });

  it('splits queries on any white space and punctuation a Chinese keyboard gives', () => {
    expect(queryTerms('  停水　通知，Water water ')).toEqual(['停水', '通知', 'water']);
  });

  it('cuts a snippet around the first match', () => {
    const body = `${'前'.repeat(100)}停水${'后'.repeat(100)}`;
    const snippet = snippetOf({ title: 't', summary: '', body }, ['停水']);
    expect(snippet).toMatch(/^…前+停水后+…$/);
    expect(snippet.length).toBeLessThan(100);
  });
});
