import { DEFAULT_LOCALE, LOCALES, type Locale } from '@linli/content';
import { alerts } from './messages/alerts';
import { audit } from './messages/audit';
import { auth } from './messages/auth';
import { cms } from './messages/cms';
import { common } from './messages/common';
import { devices } from './messages/devices';
import { kinds } from './messages/kinds';
import { media } from './messages/media';
import { registry } from './messages/registry';
import { shell } from './messages/shell';
import { signage } from './messages/signage';
import { station } from './messages/station';
import { users } from './messages/users';
import { visitors } from './messages/visitors';

/** Messages of one domain in every UI language. Each domain (registry, cms, devices, …) keeps its own file. */
export type Messages<K extends string = string> = Record<Locale, Record<K, string>>;

const domains = [
  common,
  shell,
  auth,
  users,
  registry,
  audit,
  cms,
  devices,
  station,
  visitors,
  alerts,
  signage,
  media,
  kinds,
] as const;

const catalogue: Record<Locale, Record<string, string>> = { 'zh-CN': {}, en: {} };
for (const domain of domains) {
  for (const locale of LOCALES) Object.assign(catalogue[locale], domain[locale]);
}

/** Registers a domain's messages (called by each domain's message module). */
export function addMessages(messages: Messages): void {
  for (const locale of LOCALES) Object.assign(catalogue[locale], messages[locale]);
}

/** Picks the UI language: an explicit choice (cookie) wins, then Accept-Language, then zh-CN. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (cookie && (LOCALES as readonly string[]).includes(cookie)) return cookie as Locale;
  if (acceptLanguage && /^\s*en\b/i.test(acceptLanguage)) return 'en';
  return DEFAULT_LOCALE;
}

/** Translates a key, filling `{name}` placeholders. Falls back to zh-CN, then to the key itself. */
export function translate(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
  const text = catalogue[locale][key] ?? catalogue[DEFAULT_LOCALE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A translator bound to one locale, as pages receive it. */
export function translator(locale: Locale) {
  return (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
}
