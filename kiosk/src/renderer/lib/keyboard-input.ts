/**
 * The on-screen keyboard's typing rules, as pure functions (the Svelte component only renders and forwards key
 * presses): letters, digits, the ID-number pad (digits and X, 18 at most), and pinyin input, where letters
 * collect in a composition and a tapped candidate character replaces the syllable it was found for.
 */

/**
 * Keyboard modes. `pinyin`, `latin` and `numeric` switch among themselves; `id-number` and `digits` (a PIN or a
 * phone number: digits only, no way to switch to letters) stand alone.
 */
export type KeyboardMode = 'pinyin' | 'latin' | 'numeric' | 'id-number' | 'digits';

/** A pinyin → characters dictionary: syllable (`zhong`, `lv` for lü) → candidates, most common first. */
export type PinyinDictionary = Readonly<Record<string, string>>;

/** What is typed: the committed text and, in pinyin mode, the letters not yet turned into characters. */
export interface TypingState {
  value: string;
  composition: string;
  /** Shift for the next latin letter. */
  shift: boolean;
}

/** Special keys, as simple-keyboard names them. */
export const KEYS = {
  backspace: '{bksp}',
  space: '{space}',
  shift: '{shift}',
  clear: '{clear}',
  pinyin: '{pinyin}',
  latin: '{abc}',
  numeric: '{123}',
} as const;

/** Longest composition kept (a few syllables; a resident types a name or a word, not a sentence). */
const MAX_COMPOSITION = 24;
/** An 18-character resident ID number (GB 11643), the last character a digit or X. */
export const ID_NUMBER_LENGTH = 18;

export const emptyTyping = (): TypingState => ({ value: '', composition: '', shift: false });

/** The syllable at the start of a composition that the dictionary knows: the longest one. */
export function leadingSyllable(composition: string, dictionary: PinyinDictionary): string | null {
  for (let length = Math.min(6, composition.length); length > 0; length--) {
    const syllable = composition.slice(0, length);
    if (Object.hasOwn(dictionary, syllable)) return syllable;
  }
  return null;
}

/** Candidate characters for a composition: those of its leading syllable, most common first. */
export function candidatesFor(composition: string, dictionary: PinyinDictionary): string[] {
  const syllable = leadingSyllable(composition, dictionary);
  return syllable ? dictionary[syllable]!.split(' ').filter(Boolean) : [];
}

/** Takes a candidate: the character is committed and its syllable leaves the composition. */
export function chooseCandidate(
  state: TypingState,
  candidate: string,
  dictionary: PinyinDictionary,
): TypingState {
  const syllable = leadingSyllable(state.composition, dictionary);
  if (!syllable) return state;
  return { ...state, value: state.value + candidate, composition: state.composition.slice(syllable.length) };
}

/** Applies one key press in a mode, with the length limit of the field. */
export function pressKey(
  state: TypingState,
  key: string,
  mode: KeyboardMode,
  dictionary: PinyinDictionary,
  maxLength = 100,
): TypingState {
  const room = (text: string) => [...text].length < maxLength;
  switch (key) {
    case KEYS.backspace:
      if (state.composition) return { ...state, composition: state.composition.slice(0, -1) };
      return { ...state, value: [...state.value].slice(0, -1).join('') };
    case KEYS.clear:
      return emptyTyping();
    case KEYS.shift:
      return { ...state, shift: !state.shift };
    case KEYS.space: {
      // As in every pinyin IME: space takes the first candidate of a pending composition.
      const first = candidatesFor(state.composition, dictionary)[0];
      if (state.composition && first) return chooseCandidate(state, first, dictionary);
      if (state.composition) return { ...state, value: state.value + state.composition, composition: '' };
      if (
        mode === 'numeric' ||
        mode === 'id-number' ||
        mode === 'digits' ||
        !room(state.value) ||
        state.value.endsWith(' ')
      )
        return state;
      return state.value ? { ...state, value: state.value + ' ' } : state;
    }
    default:
      break;
  }
  if (key.startsWith('{')) return state;
  if (mode === 'id-number') {
    const char = key.toUpperCase();
    const length = state.value.length;
    // Digits for the first 17 places; the 18th is the check character, a digit or X.
    if (length >= ID_NUMBER_LENGTH) return state;
    if (char === 'X' ? length !== ID_NUMBER_LENGTH - 1 : !/^[0-9]$/.test(char)) return state;
    return { ...state, value: state.value + char };
  }
  if (mode === 'numeric' || mode === 'digits')
    return /^[0-9]$/.test(key) && room(state.value) ? { ...state, value: state.value + key } : state;
  if (mode === 'pinyin' && /^[a-z]$/.test(key)) {
    if (state.composition.length >= MAX_COMPOSITION || !room(state.value)) return state;
    return { ...state, composition: state.composition + key };
  }
  if (!room(state.value)) return state;
  const char = state.shift ? key.toUpperCase() : key;
  return { ...state, value: state.value + char, shift: false };
}

/** What the field shows: the committed text followed by the pending pinyin. */
export function displayedText(state: TypingState): string {
  return state.value + state.composition;
}
