import { describe, expect, it } from 'vitest';
import { editsKey, editsSince, leaveEdits, takeEdits } from './unsaved-edits';

describe('edits typed while a save was on its way', () => {
  const sent = { title: 'T', summary: 'S', body: 'B' };

  it('are only the fields that changed since the save was sent', () => {
    expect(editsSince(sent, { ...sent })).toEqual({});
    expect(editsSince(sent, { ...sent, body: 'B and more' })).toEqual({ body: 'B and more' });
    expect(editsSince(sent, { title: '', summary: 'S', body: 'B2' })).toEqual({ title: '', body: 'B2' });
  });

  it('are taken once, by the form of the same item and language', () => {
    const key = editsKey('notice-1', 'zh-CN');
    leaveEdits(key, { body: 'typed meanwhile' });
    expect(takeEdits(editsKey('notice-1', 'en'))).toEqual({});
    expect(takeEdits(key)).toEqual({ body: 'typed meanwhile' });
    expect(takeEdits(key)).toEqual({});
  });

  it('leave nothing behind when nothing was typed', () => {
    const key = editsKey('notice-2', 'zh-CN');
    leaveEdits(key, {});
    leaveEdits(key, editsSince(sent, sent));
    expect(takeEdits(key)).toEqual({});
  });
});
