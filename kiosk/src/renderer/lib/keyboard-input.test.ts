import { describe, expect, it } from 'vitest';
import {
  KEYS,
  candidatesFor,
  chooseCandidate,
  displayedText,
  emptyTyping,
  pressKey,
  type KeyboardMode,
  type TypingState,
} from './keyboard-input';
import { highlightParts } from './item-view';
import { keyboardLayouts, pinyinDictionary } from './keyboard-layouts';

const type = (keys: string[], mode: KeyboardMode, start: TypingState = emptyTyping(), maxLength?: number) =>
  keys.reduce((state, key) => pressKey(state, key, mode, pinyinDictionary, maxLength), start);
const letters = (word: string) => [...word];

describe('pinyin input', () => {
  it('uses the bundled dictionary of simple-keyboard-layouts (works offline)', () => {
    expect(Object.keys(pinyinDictionary).length).toBeGreaterThan(350);
    expect(candidatesFor('zhong', pinyinDictionary)[0]).toBe('中');
  });

  it('types 中国 as zhongguo: each candidate takes the syllable it was found for', () => {
    let state = type(letters('zhongguo'), 'pinyin');
    expect(state).toMatchObject({ value: '', composition: 'zhongguo' });
    expect(candidatesFor(state.composition, pinyinDictionary)).toContain('中');
    state = chooseCandidate(state, '中', pinyinDictionary);
    expect(state).toMatchObject({ value: '中', composition: 'guo' });
    state = pressKey(state, KEYS.space, 'pinyin', pinyinDictionary); // space takes the first candidate
    expect(state).toMatchObject({ value: '中国', composition: '' });
    expect(displayedText(type(letters('ting'), 'pinyin', state))).toBe('中国ting');
  });

  it('deletes pending letters before committed characters', () => {
    let state = type(letters('shui'), 'pinyin', { ...emptyTyping(), value: '停' });
    state = type([KEYS.backspace, KEYS.backspace], 'pinyin', state);
    expect(state).toMatchObject({ value: '停', composition: 'sh' });
    state = type([KEYS.backspace, KEYS.backspace, KEYS.backspace], 'pinyin', state);
    expect(state).toMatchObject({ value: '', composition: '' });
  });

  it('offers nothing for letters that start no syllable', () => {
    expect(candidatesFor('vvv', pinyinDictionary)).toEqual([]);
    expect(chooseCandidate({ ...emptyTyping(), composition: 'vvv' }, '中', pinyinDictionary).value).toBe('');
  });
});

describe('ID-number pad', () => {
  it('takes 17 digits and a final digit or X, and nothing more', () => {
    const state = type([...'11010519491231002', 'X', '5'], 'id-number');
    expect(state.value).toBe('11010519491231002X');
  });

  it.each([
    ['X too early', ['1', 'X'], '1'],
    ['letters', ['a', '1'], '1'],
  ])('refuses %s', (_what, keys, value) => expect(type(keys, 'id-number').value).toBe(value));

  it('has only digits, X and delete', () => {
    const keys = keyboardLayouts['id-number'].default!.join(' ').split(' ');
    expect(new Set(keys)).toEqual(new Set([...'0123456789', 'X', KEYS.backspace]));
  });
});

describe('numeric and latin input', () => {
  it('numeric takes digits only, up to the field length', () => {
    expect(type(letters('12a3'), 'numeric', emptyTyping(), 2).value).toBe('12');
  });

  it('latin: shift makes one capital; space and clear do what they say', () => {
    let state = type([KEYS.shift, 'w', 'a', KEYS.space, KEYS.space, 'b'], 'latin');
    expect(state.value).toBe('Wa b');
    state = pressKey(state, KEYS.clear, 'latin', pinyinDictionary);
    expect(state).toEqual(emptyTyping());
  });
});

describe('highlightParts', () => {
  it('marks every occurrence of every term, case-insensitively', () => {
    expect(highlightParts('Water cut: no water', 'WATER cut')).toEqual([
      { text: 'Water', match: true },
      { text: ' ', match: false },
      { text: 'cut', match: true },
      { text: ': no ', match: false },
      { text: 'water', match: true },
    ]);
    expect(highlightParts('明日停水', '停水')).toEqual([
      { text: '明日', match: false },
      { text: '停水', match: true },
    ]);
  });
});

describe('digits pad (PIN, phone number)', () => {
  it('takes digits only, up to the field length; space does nothing', () => {
    expect(type([...'12a', KEYS.space, ...'3456789'], 'digits', emptyTyping(), 6).value).toBe('123456');
  });

  it('has digits, clear and delete, and no key that leaves it for letters', () => {
    const keys = keyboardLayouts.digits.default!.join(' ').split(' ');
    expect(new Set(keys)).toEqual(new Set([...'0123456789', KEYS.clear, KEYS.backspace]));
  });
});
