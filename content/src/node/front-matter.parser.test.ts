import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from './front-matter.parser';

describe('parseFrontMatter', () => {
  it('splits YAML from the Markdown body', () => {
    expect(parseFrontMatter('---\nid: a\ntitle: "x: y"\n---\n\n# Body\n\ntext\n\n\n')).toEqual({
      ok: true,
      value: { data: { id: 'a', title: 'x: y' }, body: '# Body\n\ntext\n' },
    });
  });

  it('accepts a BOM and CRLF line ends', () => {
    expect(parseFrontMatter('\uFEFF---\r\nid: a\r\n---\r\nline 1\r\nline 2\r\n')).toEqual({
      ok: true,
      value: { data: { id: 'a' }, body: 'line 1\nline 2\n' },
    });
  });

  it('keeps a later "---" line (a Markdown rule) in the body', () => {
    const result = parseFrontMatter('---\nid: a\n---\nabove\n\n---\n\nbelow\n');
    expect(result.ok && result.value.body).toBe('above\n\n---\n\nbelow\n');
  });

  it.each([
    ['# no front matter\n', 'no-front-matter', 1],
    ['---\nid: a\n\nbody without a closing line\n', 'unclosed-front-matter', 1],
    ['---\nid: a\ntitle: a: b\n---\n', 'invalid-yaml', 3],
    ['---\nid: a\nid: b\n---\n', 'invalid-yaml', 3],
    ['---\n- a\n- b\n---\n', 'not-a-mapping', 2],
    ['---\n---\nbody\n', 'not-a-mapping', 2],
  ] as const)('refuses %j as %s at line %i', (text, kind, line) => {
    const result = parseFrontMatter(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ kind, line });
  });
});
