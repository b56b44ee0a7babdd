import { parseDocument } from 'yaml';

/** Why a file's front matter could not be read. `line` is 1-based in the whole file when known. */
export interface FrontMatterError {
  kind: 'no-front-matter' | 'unclosed-front-matter' | 'invalid-yaml' | 'not-a-mapping';
  message: string;
  line?: number;
}

/** Parsed front matter (still unvalidated) and the Markdown body after it, with LF line ends. */
export interface FrontMatterDocument {
  data: Record<string, unknown>;
  body: string;
}

/**
 * Splits `---\n<yaml>\n---\n<markdown>` and parses the YAML. Accepts a UTF-8 BOM and CRLF line ends, which editors on
 * Windows write, so a pack edited there loads the same.
 */
export function parseFrontMatter(
  text: string,
): { ok: true; value: FrontMatterDocument } | { ok: false; error: FrontMatterError } {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!/^---[ \t]*\n/.test(source)) {
    return {
      ok: false,
      error: {
        kind: 'no-front-matter',
        message: 'no front matter: the file must start with a line "---"',
        line: 1,
      },
    };
  }
  const lines = source.split('\n');
  const close = lines.findIndex((line, i) => i > 0 && /^---[ \t]*$/.test(line));
  if (close < 0) {
    return {
      ok: false,
      error: {
        kind: 'unclosed-front-matter',
        message: 'front matter is not closed by a line "---"',
        line: 1,
      },
    };
  }
  const yamlText = lines.slice(1, close).join('\n');
  // uniqueKeys: a repeated key is almost always a copy-paste slip; YAML would silently keep the last one.
  const document = parseDocument(yamlText, { uniqueKeys: true });
  const [firstError] = document.errors;
  if (firstError) {
    const line = firstError.linePos?.[0]?.line;
    return {
      ok: false,
      error: {
        kind: 'invalid-yaml',
        // yaml appends " at line N, column M:" and a code frame, both relative to the front matter: drop them and
        // report the line in the file instead.
        message: `invalid YAML in front matter: ${firstError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        // +1 for the opening "---" line
        ...(line !== undefined ? { line: line + 1 } : {}),
      },
    };
  }
  const data: unknown = document.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      error: {
        kind: 'not-a-mapping',
        message: 'front matter must be a YAML mapping of fields (key: value)',
        line: 2,
      },
    };
  }
  const body = lines
    .slice(close + 1)
    .join('\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
  return { ok: true, value: { data: data as Record<string, unknown>, body: body ? `${body}\n` : '' } };
}
