/** The content form's free-text fields: where a person goes on typing while a save is on its way. */
export type TextField = 'title' | 'summary' | 'body';
export type TextEdits = Partial<Record<TextField, string>>;

/**
 * Text typed after a save was sent, waiting for the form that the save's answer creates. The page re-creates the
 * content form from the server's values after every save (a refusal hands back what was sent, a success reloads
 * the item), which would replace anything typed meanwhile; the old form leaves those fields here and the new one
 * takes them, keyed by item and language. Browser memory only: nothing here outlives the page.
 */
const waiting = new Map<string, TextEdits>();

export const editsKey = (id: string, locale: string) => `${id}\n${locale}`;

/** The fields that changed between what was sent and what the form holds now. */
export function editsSince(sent: Record<TextField, string>, now: Record<TextField, string>): TextEdits {
  const edits: TextEdits = {};
  for (const field of Object.keys(sent) as TextField[]) {
    if (now[field] !== sent[field]) edits[field] = now[field];
  }
  return edits;
}

export function leaveEdits(key: string, edits: TextEdits): void {
  if (Object.keys(edits).length > 0) waiting.set(key, edits);
}

/** Takes (and forgets) what an earlier form left for this item, if anything. */
export function takeEdits(key: string): TextEdits {
  const edits = waiting.get(key) ?? {};
  waiting.delete(key);
  return edits;
}
