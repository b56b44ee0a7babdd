import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { translate } from './index';
import { audit } from './messages/audit';
import { auth } from './messages/auth';
import { registry } from './messages/registry';
import { shell } from './messages/shell';
import { users } from './messages/users';

const domains = { shell, auth, users, registry, audit };

describe('UI messages', () => {
  it.each(Object.entries(domains))('%s has every key in zh-CN and English', (_name, messages) => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages['zh-CN']).sort());
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, text] of Object.entries(messages[locale]))
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it('has a text for every i18n key the server code produces', () => {
    // keys written literally in services, schemas and routes (validation.*, registry.import.*, …)
    const root = path.resolve(import.meta.dirname, '..', '..');
    const files = fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|svelte)$/.test(file) && !file.endsWith('.test.ts'))
      .map((file) => path.join(root, file));
    const pattern =
      /'((?:validation|registry\.import|registry\.error|users\.error|auth\.error|account\.error)\.[\w-]+)'/g;
    const keys = new Set<string>();
    for (const file of files)
      for (const match of fs.readFileSync(file, 'utf8').matchAll(pattern)) keys.add(match[1]!);
    expect(keys.size).toBeGreaterThan(20);
    for (const key of keys) {
      expect(translate('zh-CN', key), key).not.toBe(key);
      expect(translate('en', key), key).not.toBe(key);
    }
  });

  it('has a text for every failure kind the pages translate by name', () => {
    const kinds = {
      'auth.error': ['invalid-credentials', 'locked', 'address-throttled', 'disabled'],
      'account.error': ['wrong-password', 'same-password', 'not-found'],
      'users.error': ['invalid', 'username-taken', 'not-found', 'last-admin', 'self'],
      'registry.error': ['invalid', 'not-found', 'duplicate', 'not-empty', 'in-use'],
      'import.error': [
        'too-large',
        'not-utf8',
        'empty',
        'malformed',
        'header',
        'too-many-rows',
        'rows-invalid',
        'not-found',
      ],
    };
    for (const [prefix, names] of Object.entries(kinds)) {
      for (const name of names) {
        expect(translate('zh-CN', `${prefix}.${name}`)).not.toBe(`${prefix}.${name}`);
        expect(translate('en', `${prefix}.${name}`)).not.toBe(`${prefix}.${name}`);
      }
    }
  });

  it('fills placeholders', () => {
    expect(translate('en', 'auth.error.locked', { minutes: 15 })).toContain('15 minutes');
    expect(translate('zh-CN', 'auth.error.locked', { minutes: 15 })).toContain('15 分钟');
  });
});
