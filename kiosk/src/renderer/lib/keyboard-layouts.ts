import type { Locale } from '@linli/content';
import chinese from 'simple-keyboard-layouts/build/layouts/chinese';
import { t } from './i18n';
import { KEYS, type KeyboardMode, type PinyinDictionary } from './keyboard-input';

/**
 * The pinyin → hanzi candidates of simple-keyboard-layouts' Chinese layout (from the pinyinjs project): about 400
 * syllables with their characters, most common first, ~37 KB, bundled — it works offline.
 */
// The package's LayoutItem type leaves the candidates out; the data has them (keyboard-input.test.ts checks).
export const pinyinDictionary: PinyinDictionary =
  (chinese as typeof chinese & { layoutCandidates?: PinyinDictionary }).layoutCandidates ?? {};

const letters = ['q w e r t y u i o p', 'a s d f g h j k l', 'z x c v b n m {bksp}'];

/**
 * Layouts of the on-screen keyboard, sized for a finger: ten keys in the widest row, so each key is about
 * 90 px wide on a 1080 px portrait screen. Mode keys switch between pinyin, latin letters and digits; the
 * ID-number pad has only digits and X.
 */
export const keyboardLayouts: Record<KeyboardMode, Record<string, string[]>> = {
  pinyin: { default: [...letters, `${KEYS.latin} ${KEYS.numeric} ${KEYS.space} ${KEYS.clear}`] },
  latin: {
    default: [...letters, `${KEYS.shift} ${KEYS.pinyin} ${KEYS.numeric} ${KEYS.space} ${KEYS.clear}`],
    shift: [
      ...letters.map((row) => row.replace(/\b([a-z])\b/g, (c) => c.toUpperCase())),
      `${KEYS.shift} ${KEYS.pinyin} ${KEYS.numeric} ${KEYS.space} ${KEYS.clear}`,
    ],
  },
  numeric: { default: ['1 2 3', '4 5 6', '7 8 9', `${KEYS.pinyin} 0 ${KEYS.backspace}`] },
  'id-number': { default: ['1 2 3', '4 5 6', '7 8 9', `X 0 ${KEYS.backspace}`] },
  digits: { default: ['1 2 3', '4 5 6', '7 8 9', `${KEYS.clear} 0 ${KEYS.backspace}`] },
};

/** Labels of the special keys in a language (simple-keyboard's `display`). */
export function keyLabels(locale: Locale): Record<string, string> {
  return {
    [KEYS.backspace]: t(locale, 'keyDelete'),
    [KEYS.space]: t(locale, 'keySpace'),
    [KEYS.shift]: t(locale, 'keyShift'),
    [KEYS.clear]: t(locale, 'keyClear'),
    [KEYS.pinyin]: t(locale, 'keyPinyin'),
    [KEYS.latin]: t(locale, 'keyAbc'),
    [KEYS.numeric]: t(locale, 'keyNumbers'),
  };
}
