// Usage: validate-pack <pack-dir>
// Loads a content pack the way the server imports it and prints every problem; exits 1 if there is any, so it can
// gate a CI job or a pre-commit hook.
import path from 'node:path';
import { CATEGORY_IDS, LOCALES } from '../categories';
import { loadPack } from './pack.loader';

const [dirArgument] = process.argv.slice(2);
if (!dirArgument || dirArgument === '--help' || dirArgument === '-h') {
  console.error('usage: validate-pack <pack-dir>');
  process.exit(2);
}

// `npm run validate-pack -w @linli/content` runs in content/; INIT_CWD is where the user typed the command.
const dir = path.resolve(process.env.INIT_CWD ?? process.cwd(), dirArgument);
const result = await loadPack(dir);

if (!result.ok) {
  console.error(`✗ ${dir}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`);
  for (const error of result.errors) console.error(`  ${error.path}: ${error.reason}`);
  process.exit(1);
}

const { manifest, items, assets } = result.value;
const perLocale = LOCALES.map(
  (locale) => `${locale} ${items.filter((item) => item.locale === locale).length}`,
);
const categories = CATEGORY_IDS.filter((id) => items.some((item) => item.category === id)).length;
const assetBytes = [...assets.values()].reduce((sum, asset) => sum + asset.size, 0);
console.log(
  `✓ ${manifest.id} ${manifest.version}: ${items.length} items (${perLocale.join(', ')}) in ${categories} categories, ` +
    `${assets.size} images (${Math.round(assetBytes / 1024)} KB)`,
);
