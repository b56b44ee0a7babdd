import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropExternalImages, renderMarkdown, rewriteAssetUrls, safeImageSrc, safeLinkHref } from './markdown';

const SHA = 'ab'.repeat(32);

interface Tag {
  name: string;
  attributes: { name: string; value: string }[];
}

/**
 * A small HTML tokenizer, enough to see the output the way a browser's tokenizer would: every `<` followed by a
 * letter opens a tag, attributes are split on whitespace with quoted or unquoted values. Text is skipped.
 */
function parseTags(html: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const nameMatch = /^<\/?([a-zA-Z][^\s/>]*)/.exec(html.slice(lt));
    if (!nameMatch?.[1]) {
      i = lt + 1;
      continue;
    }
    const tag: Tag = { name: nameMatch[1].toLowerCase(), attributes: [] };
    i = lt + nameMatch[0].length;
    for (;;) {
      while (i < html.length && /[\s/]/.test(html[i] ?? '')) i++;
      if (i >= html.length || html[i] === '>') break;
      const attrName = /^[^\s/>=]+/.exec(html.slice(i))?.[0] ?? html[i] ?? '';
      i += Math.max(attrName.length, 1);
      let value = '';
      while (/\s/.test(html[i] ?? '')) i++;
      if (html[i] === '=') {
        i++;
        while (/\s/.test(html[i] ?? '')) i++;
        const quote = html[i];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, i + 1);
          value = html.slice(i + 1, end < 0 ? html.length : end);
          i = end < 0 ? html.length : end + 1;
        } else {
          value = /^[^\s>]*/.exec(html.slice(i))?.[0] ?? '';
          i += value.length;
        }
      }
      tag.attributes.push({ name: attrName.toLowerCase(), value });
    }
    tags.push(tag);
    i++;
  }
  return tags;
}

const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]+);?/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);?/g, (_m, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const ALLOWED_TAGS = new Set(
  'p h1 h2 h3 h4 h5 h6 ul ol li a img strong em del code pre blockquote hr br table thead tbody tr th td input'.split(
    ' ',
  ),
);
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title'],
  img: ['src', 'alt', 'title'],
  ol: ['start'],
  th: ['align'],
  td: ['align'],
  code: ['class'],
  input: ['checked', 'disabled', 'type'],
};

/** Every way the output could still be live markup; empty when it is safe. */
function liveMarkupProblems(html: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push('a <script tag');
  for (const tag of parseTags(html)) {
    if (!ALLOWED_TAGS.has(tag.name)) problems.push(`tag <${tag.name}>`);
    for (const { name, value } of tag.attributes) {
      if (/^on/i.test(name)) problems.push(`event handler ${name} on <${tag.name}>`);
      if (name === 'style') problems.push(`style attribute on <${tag.name}>`);
      if (!(ALLOWED_ATTRIBUTES[tag.name] ?? []).includes(name))
        problems.push(`attribute ${name} on <${tag.name}>`);
      // eslint-disable-next-line no-control-regex -- browsers drop these from URLs, so the check must too
      const url = decode(value).replace(/[\u0000-\u0020]/g, '');
      if ((name === 'href' || name === 'src') && /^(?:javascript|vbscript|data|file):/i.test(url)) {
        problems.push(`${name}=${value} on <${tag.name}>`);
      }
      if (name === 'href' && !/^(?:https?:\/\/|mailto:|tel:)/i.test(url)) problems.push(`href ${value}`);
      if (name === 'src' && !/^(?:https:\/\/|asset:[0-9a-f]{64}$)/.test(url)) problems.push(`src ${value}`);
    }
  }
  return problems;
}

describe('the live-markup check itself', () => {
  // A check that cannot fail is a defect: prove it sees each kind of live markup.
  it.each([
    ['<script>alert(1)</script>', 'a <script tag'],
    ['<img src="x" onerror="alert(1)">', 'event handler onerror on <img>'],
    ['<a href="JaVaScript:alert(1)">x</a>', 'href=JaVaScript:alert(1) on <a>'],
    ['<a href="&#106;avascript:alert(1)">x</a>', 'href=&#106;avascript:alert(1) on <a>'],
    ['<p style="color:red">x</p>', 'style attribute on <p>'],
    ['<iframe src="https://x"></iframe>', 'tag <iframe>'],
    ['<svg/onload=alert(1)>', 'event handler onload on <svg>'],
  ])('flags %s', (html, problem) => {
    expect(liveMarkupProblems(html)).toContain(problem);
  });

  it('passes plain safe markup and attribute values that merely mention handlers', () => {
    expect(
      liveMarkupProblems('<p>a onclick=x</p><img src="https://a.example/x.png" alt="b onerror=c">'),
    ).toEqual([]);
  });
});

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const html = renderMarkdown(
      '## 办理时间\n\n周一至周五 **9:00–17:00**\n\n- 身份证\n- 户口簿\n\n1. 取号\n2. 办理\n\n电话 [010-6123-4567](tel:010-6123-4567)',
    );
    expect(html).toContain('<h2>办理时间</h2>');
    expect(html).toContain('<strong>9:00–17:00</strong>');
    expect(html).toContain('<li>身份证</li>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<a href="tel:010-6123-4567">010-6123-4567</a>');
    expect(liveMarkupProblems(html)).toEqual([]);
  });

  it('keeps allowed links and images', () => {
    expect(renderMarkdown('[site](https://example.org/a?b=1&c=2 "Title")')).toContain(
      '<a href="https://example.org/a?b=1&amp;c=2" title="Title">site</a>',
    );
    expect(renderMarkdown('[mail](mailto:office@example.org)')).toContain(
      '<a href="mailto:office@example.org">',
    );
    expect(renderMarkdown('[web](http://example.org)')).toContain('<a href="http://example.org">');
    expect(renderMarkdown(`![地图](asset:${SHA})`)).toContain(`<img src="asset:${SHA}" alt="地图">`);
    expect(renderMarkdown(`![m](asset:${SHA.toUpperCase()})`)).toContain(`<img src="asset:${SHA}" alt="m">`);
    expect(renderMarkdown('![p](https://img.example.org/p.png)')).toContain(
      '<img src="https://img.example.org/p.png" alt="p">',
    );
  });

  it('drops links to other schemes, keeping their text', () => {
    expect(renderMarkdown('[click](ftp://example.org/x)')).toBe('<p>click</p>\n');
    expect(renderMarkdown('[rel](/relative/path)')).toBe('<p>rel</p>\n');
  });

  it('shows images from other sources as their alt text', () => {
    expect(renderMarkdown('![a cat](http://example.org/cat.png)')).toBe('<p>a cat</p>\n');
    expect(renderMarkdown('![local](../images/x.png)')).toBe('<p>local</p>\n');
    expect(renderMarkdown('![short](asset:abc)')).toBe('<p>short</p>\n');
  });

  it('shows raw HTML as text', () => {
    expect(renderMarkdown('a <b>bold</b> word')).toBe('<p>a &lt;b&gt;bold&lt;/b&gt; word</p>\n');
    expect(renderMarkdown('<div>\nblock\n</div>')).toBe('<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n');
  });

  const XSS_CORPUS: [string, string][] = [
    ['script tag', '<script>alert(1)</script>'],
    ['script tag inline', 'hello <script src="https://evil.example/x.js"></script> world'],
    ['script in mixed case', '<ScRiPt>alert(1)</sCrIpT>'],
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['img onerror no quotes in text', 'before <img/src/onerror=alert(1)> after'],
    ['svg onload', '<svg onload=alert(1)>'],
    ['svg slash onload', '<svg/onload=alert(1)>'],
    ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
    ['object', '<object data="javascript:alert(1)"></object>'],
    ['body onload', '<body onload=alert(1)>'],
    ['details ontoggle', '<details open ontoggle=alert(1)>'],
    ['style tag', '<style>body{background:url("javascript:alert(1)")}</style>'],
    ['style attribute', '<p style="background-image:url(javascript:alert(1))">x</p>'],
    ['style expression', '<div style="width: expression(alert(1))">x</div>'],
    ['link javascript', '[x](javascript:alert(1))'],
    ['link javascript mixed case', '[x](JaVaScRiPt:alert(1))'],
    [
      'link javascript entity-encoded',
      '[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1))',
    ],
    ['link javascript hex entity', '[x](jav&#x61;script:alert(1))'],
    ['link javascript named colon entity', '[x](javascript&colon;alert(1))'],
    ['link javascript with tab', '[x](java\tscript:alert(1))'],
    ['link javascript with leading space', '[x]( javascript:alert(1))'],
    ['link javascript in angle brackets', '[x](<javascript:alert(1)>)'],
    ['link javascript url-escaped', '[x](javascript%3Aalert(1))'],
    ['link vbscript', '[x](vbscript:msgbox(1))'],
    ['link VBScript mixed case', '[x](VbScRiPt:msgbox(1))'],
    ['link data html', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['link DATA mixed case', '[x](DaTa:text/html,<script>alert(1)</script>)'],
    ['reference link javascript', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['autolink javascript', '<javascript:alert(1)>'],
    ['autolink vbscript', '<vbscript:msgbox(1)>'],
    ['image javascript', '![x](javascript:alert(1))'],
    ['image data', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
    ['image alt breaks out of attribute', '![x" onerror="alert(1)](https://example.org/a.png)'],
    ['image alt with raw html', '![<img src=x onerror=alert(1)>](https://example.org/a.png)'],
    ['link title breaks out', '[x](https://example.org "a\\" onmouseover=\\"alert(1)")'],
    ['link text with html', '[<img src=x onerror=alert(1)>](https://example.org)'],
    ['code fence language injection', '```js" onclick="alert(1)\ncode\n```'],
    ['html in table cell', '| a |\n|---|\n| <svg onload=alert(1)> |'],
    ['html comment', '<!-- --><script>alert(1)</script><!-- -->'],
    ['cdata', '<![CDATA[<script>alert(1)</script>]]>'],
    ['processing instruction', '<?xml-stylesheet href="javascript:alert(1)"?>'],
    ['form action', '<form action="javascript:alert(1)"><button>x</button></form>'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
    ['base href', '<base href="javascript:alert(1)//">'],
    ['a tag with handler', '<a href="https://ok" onclick="alert(1)">x</a>'],
    ['math xlink', '<math><a xlink:href="javascript:alert(1)">x</a></math>'],
    ['entity-encoded tag', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['text after an inline raw tag', 'a <script> <svg/onload=alert(1)> b'],
    ['text after an inline pre tag', 'x <pre><img src=x onerror=alert(1)></pre>'],
    ['nul byte in scheme', '[x](java\u0000script:alert(1))'],
  ];

  it.each(XSS_CORPUS)('leaves no live markup: %s', (_name, markdown) => {
    const html = renderMarkdown(markdown);
    expect(liveMarkupProblems(html)).toEqual([]);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(?:iframe|svg|object|style|form|meta|base|math|body|details)\b/i);
    expect(html).not.toMatch(/href="\s*(?:javascript|vbscript|data):/i);
    expect(html).not.toMatch(/<[^>]*\sstyle=/i);
  });

  it('shows the attacker text as text, so a reader can see what was attempted', () => {
    expect(renderMarkdown('<img src=x onerror=alert(1)>')).toBe(
      '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n',
    );
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>x</p>\n');
    expect(renderMarkdown('![x" onerror="alert(1)](https://example.org/a.png)')).toBe(
      '<p><img src="https://example.org/a.png" alt="x&quot; onerror=&quot;alert(1)"></p>\n',
    );
  });

  it('never emits live markup for arbitrary mixes of dangerous fragments', () => {
    const fragments = [
      '<',
      '>',
      '"',
      "'",
      '`',
      '&',
      '&#106;',
      '&#x61;',
      '&colon;',
      ' ',
      '\n',
      '\t',
      '[',
      ']',
      '(',
      ')',
      '!',
      '*',
      '|',
      '---',
      '```',
      'javascript:',
      'JaVaScRiPt:',
      'data:',
      'https://x.example/',
      'mailto:a@b.c',
      'script',
      'img',
      'svg',
      'iframe',
      'style=',
      ' onerror=',
      'onload=',
      'alert(1)',
      'src=',
      'href=',
      '<img src=x onerror=alert(1)>',
      '<script>',
      '</script>',
      '<pre>',
      '<style>',
      '<a href="https://ok.example/">',
      '</a>',
      '<svg/onload=alert(1)>',
      '<a href="javascript:alert(1)">',
      '<p style="color:red">',
      '](',
      '[x](',
      '![y](',
      '[z]: ',
      '/',
      '=',
      `asset:${SHA}`,
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string()), { maxLength: 40 }),
        (parts) => {
          const html = renderMarkdown(parts.join(''));
          expect(liveMarkupProblems(html)).toEqual([]);
        },
      ),
      // FUZZ_RUNS=200000 turns this into the longer fuzz run.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
    );
  });
});

describe('safeLinkHref / safeImageSrc', () => {
  it.each([
    ['https://example.org', 'https://example.org'],
    ['HTTP://example.org', 'HTTP://example.org'],
    ['tel:010-6123-4567', 'tel:010-6123-4567'],
    ['mailto:a@example.org', 'mailto:a@example.org'],
    ['https://example.org/?a=1&amp;b=2', 'https://example.org/?a=1&b=2'],
    ['javascript:alert(1)', null],
    ['&#x6A;avascript:alert(1)', null],
    ['https:/\tx', null],
    ['//example.org', null],
    ['#top', null],
  ])('link %s -> %s', (raw, expected) => {
    expect(safeLinkHref(raw)).toBe(expected);
  });

  it.each([
    [`asset:${SHA}`, `asset:${SHA}`],
    ['https://example.org/a.png', 'https://example.org/a.png'],
    ['http://example.org/a.png', null],
    [`asset:${SHA}0`, null],
    ['data:image/png;base64,AAAA', null],
  ])('image %s -> %s', (raw, expected) => {
    expect(safeImageSrc(raw)).toBe(expected);
  });
});

describe('rewriteAssetUrls', () => {
  it('rewrites asset image sources and escapes the new URL', () => {
    const html = renderMarkdown(`![a](asset:${SHA}) and ![b](https://example.org/b.png)`);
    const out = rewriteAssetUrls(html, (sha) => `/api/v1/assets/${sha}?x="1"`);
    expect(out).toContain(`<img src="/api/v1/assets/${SHA}?x=&quot;1&quot;" alt="a">`);
    expect(out).toContain('<img src="https://example.org/b.png" alt="b">');
    expect(out).not.toContain('asset:');
  });

  it('does not touch asset references that are text, alt text or code', () => {
    const markdown = `\`<img src="asset:${SHA}">\`\n\n![<img src="asset:${SHA}">](https://example.org/x.png)\n\n<img src="asset:${SHA}">`;
    const html = renderMarkdown(markdown);
    const calls: string[] = [];
    const out = rewriteAssetUrls(html, (sha) => {
      calls.push(sha);
      return '/replaced';
    });
    expect(calls).toEqual([]);
    expect(out).toBe(html);
  });

  it('leaves anything that is not exactly 64 lower-case hex alone', () => {
    const html = `<img src="asset:${SHA.slice(1)}"><img src="asset:${SHA.toUpperCase()}">`;
    expect(rewriteAssetUrls(html, () => '/x')).toBe(html);
  });
});

describe('dropExternalImages', () => {
  it('shows an https image as its alt text and keeps stored assets', () => {
    const html = renderMarkdown(`![外链 "图"](https://x.example/t.png "t") ![本地](asset:${SHA})`);
    const dropped = dropExternalImages(html);
    expect(dropped).not.toContain('https://x.example');
    expect(dropped).toContain('外链 &quot;图&quot;');
    expect(dropped).toContain(`<img src="asset:${SHA}" alt="本地">`);
  });

  it('cannot be fooled by author text that looks like an image', () => {
    const html = renderMarkdown('<img src="https://x.example/t.png" alt="a">');
    expect(dropExternalImages(html)).toBe(html);
  });
});
