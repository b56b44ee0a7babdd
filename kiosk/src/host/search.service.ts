import { DEFAULT_LOCALE, renderMarkdown, type Locale, type ManifestV1 } from '@linli/content';
import type {
  ContentSnapshot,
  KioskItem,
  SearchHit,
  SearchRequest,
  SearchResults,
} from '../shared/kiosk-api';
import type { CacheRepository, SearchEntry, SearchRow } from './cache/cache.repository';

/** Terms per query at most: a resident types a few words, never a paragraph. */
const MAX_TERMS = 8;
/** Characters of context on each side of the first match in a snippet. */
const SNIPPET_CONTEXT = 28;
const DEFAULT_LIMIT = 30;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/**
 * The words of an item body as a resident reads them: the Markdown rendered by the same safe renderer the
 * kiosk shows, with the markup removed. Searching the source would match `**`, link URLs and image hashes.
 */
export function plainTextOf(markdown: string): string {
  return renderMarkdown(markdown)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (match, name: string) => {
      if (name in ENTITIES) return ENTITIES[name]!;
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return match;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The search index entries of a manifest: one per item and language. */
export function searchEntriesOf(manifest: ManifestV1): SearchEntry[] {
  return manifest.items.map((item) => ({
    itemId: item.id,
    locale: item.locale,
    category: item.category,
    title: item.title,
    summary: item.summary,
    body: plainTextOf(item.body),
  }));
}

/** The terms of a query: split on white space (full-width too), duplicates dropped, lower-cased. */
export function queryTerms(query: string): string[] {
  const terms = query
    .toLowerCase()
    .split(/[\s\u3000,，。、;；]+/u)
    .filter((term) => term.length > 0);
  return [...new Set(terms)].slice(0, MAX_TERMS);
}

/** Plain text around the first occurrence of any term, preferring the summary, then the body, then the title. */
export function snippetOf(
  row: Pick<SearchRow, 'title' | 'summary' | 'body'>,
  terms: readonly string[],
): string {
  for (const text of [row.summary, row.body, row.title]) {
    const lower = text.toLowerCase();
    const positions = terms.map((term) => lower.indexOf(term)).filter((at) => at >= 0);
    if (positions.length === 0) continue;
    const at = Math.min(...positions);
    const start = Math.max(0, at - SNIPPET_CONTEXT);
    const end = Math.min(text.length, at + SNIPPET_CONTEXT * 2);
    return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
  }
  return row.summary.slice(0, SNIPPET_CONTEXT * 3);
}

function titleIn(item: KioskItem, locale: Locale): string {
  return (
    item.translations[locale]?.title ??
    item.translations[DEFAULT_LOCALE]?.title ??
    Object.values(item.translations)[0]?.title ??
    item.id
  );
}

/**
 * Search across all content in every language, offline: the cache's FTS5 trigram index (kept in step with the
 * manifest by the sync switch) answers; results are limited to what the kiosk shows now (an item outside its
 * validity window is indexed but never found).
 */
export class SearchService {
  constructor(
    private readonly repository: CacheRepository,
    private readonly snapshot: () => ContentSnapshot,
  ) {}

  /**
   * Builds the index if it lags the manifest: a cache migrated from before the index existed, or a crash between
   * an old kiosk's switch and this version's first start.
   */
  ensureIndex(manifest: ManifestV1 | null): boolean {
    if (!manifest || this.repository.searchIndexVersion() === manifest.version) return false;
    this.repository.rebuildSearchIndex(manifest.version, searchEntriesOf(manifest));
    return true;
  }

  search(request: SearchRequest): SearchResults {
    const terms = queryTerms(request.query);
    if (terms.length === 0) return { query: request.query, method: 'none', hits: [] };
    const limit = request.limit ?? DEFAULT_LIMIT;
    const shown = new Map(this.snapshot().items.map((item) => [item.id, item]));
    // Rows are per language; ask for more so that after grouping by item there are enough.
    const { method, rows } = this.repository.searchItems(terms, limit * 3);
    const hits: SearchHit[] = [];
    const seen = new Set<string>();
    // Rows come best first; an item ranks by its best row, and a matching row in the resident's language (if
    // any) gives the snippet.
    for (const row of rows) {
      if (seen.has(row.itemId)) continue;
      const item = shown.get(row.itemId);
      if (!item) continue;
      seen.add(row.itemId);
      const preferred = rows.find((r) => r.itemId === row.itemId && r.locale === request.locale) ?? row;
      hits.push({
        id: item.id,
        category: item.category,
        title: titleIn(item, request.locale),
        snippet: snippetOf(preferred, terms),
      });
      if (hits.length >= limit) break;
    }
    return { query: request.query, method, hits };
  }
}
