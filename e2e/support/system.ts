// The set-up the system tests share: one real server and one enrolled kiosk per spec file, the CMS people an
// editor's work needs (an admin makes them through the users page; whoever writes a version cannot approve it), and
// the two steps every publishing test takes through the real forms: write and submit, then approve and publish.
import { expect, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../../scripts/lib/processes.mjs';
import { signInNewUser } from '../../signage-server/test/support/cms-users';
import { login } from '../../signage-server/test/support/server-process';

/** A running server, as scripts/lib/processes.mjs starts it. */
export type Server = Awaited<ReturnType<typeof startServer>>;
/** A running kiosk host, as scripts/lib/processes.mjs starts it. */
export type Kiosk = Awaited<ReturnType<typeof startKiosk>>;

/** A server and a kiosk enrolled to it, with their data in one temp folder; `stop()` ends both and removes it. */
export interface System {
  work: string;
  server: Server;
  kiosk: Kiosk;
  /** The admin's session cookie. */
  admin: string;
  stop(): Promise<void>;
}

/**
 * Starts a server (the demo community and content seeded unless `seedDemo: false`: a spec that makes its own
 * content starts faster and reads only what it wrote) and a kiosk enrolled to it (with `kioskArgs`, e.g. a short
 * `--idle-timeout`), and signs the admin in.
 */
export async function startSystem(
  name: string,
  options: { seedDemo?: boolean; kioskArgs?: string[] } = {},
): Promise<System> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `linli-e2e-${name}-`));
  const adminPassword = `e2e-admin-password-${name}`;
  let server: Server | undefined;
  let kiosk: Kiosk | undefined;
  const stop = async () => {
    await kiosk?.stop();
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: {
        LINLI_ADMIN_PASSWORD: adminPassword,
        ...(options.seedDemo === false ? { LINLI_SEED_DEMO: 'false' } : {}),
      },
    });
    kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
      extraArgs: options.kioskArgs ?? [],
    });
    const admin = await login(server.url, 'admin', adminPassword);
    return { work, server, kiosk, admin, stop };
  } catch (error) {
    // a half-started system must not outlive the failed beforeAll
    await stop();
    throw error;
  }
}

/**
 * A new CMS user with `roles` (made by the admin through the users page, password set), in a browser context of
 * their own signed in with the session the server gave them.
 */
export async function signInAs(
  browser: Browser,
  system: System,
  username: string,
  roles: string[],
  contextOptions: BrowserContextOptions = {},
): Promise<Page> {
  const cookie = await signInNewUser(system.server.url, system.admin, username, roles);
  const context = await browser.newContext({ locale: 'zh-CN', ...contextOptions });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: system.server.url }]);
  return context.newPage();
}

/**
 * The kiosk's page in a portrait touch screen, loaded. `beforeLoad` runs on the page before it navigates (to watch
 * it from its first request on).
 */
export async function openKiosk(
  browser: Browser,
  system: Pick<System, 'kiosk'>,
  beforeLoad: (page: Page) => void = () => {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  beforeLoad(page);
  await page.goto(system.kiosk.url);
  return page;
}

/** An item as the editor types it into the new-item form; `fields` are the kind's inputs by name (`kf.<kind>.…`). */
export interface ItemInput {
  id: string;
  kind: string;
  category: string;
  title: string;
  summary?: string;
  body?: string;
  fields: Record<string, string>;
}

/** Fills the new-item form with `item` as the editor types it, without submitting it. */
export async function fillNewItem(editor: Page, system: System, item: ItemInput): Promise<void> {
  await editor.goto(`${system.server.url}/cms/items/new`);
  await editor.locator('[name="id"]').fill(item.id);
  await editor.locator('[name="category"]').selectOption(item.category);
  await editor.locator('[name="title"]').fill(item.title);
  if (item.summary !== undefined) await editor.locator('[name="summary"]').fill(item.summary);
  if (item.body !== undefined) await editor.locator('[name="body"]').fill(item.body);
  await editor.getByLabel('类型', { exact: true }).selectOption(item.kind);
  for (const [name, value] of Object.entries(item.fields)) {
    const field = editor.locator(`[name="${name}"]`);
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
}

/** The editor writes `item` and submits it for review; resolves on the item's page. */
export async function submitNewItem(editor: Page, system: System, item: ItemInput): Promise<void> {
  await fillNewItem(editor, system, item);
  await editor.getByRole('button', { name: '保存并提交审核' }).click();
  // the item's page, whatever notice the redirect carries
  await editor.waitForURL((url) => url.pathname === `/cms/items/${item.id}/zh-CN`);
}

/** The reviewer opens the item (or, with `fromQueue`, finds it in the awaiting-review queue) and publishes it. */
export async function approveAndPublish(
  reviewer: Page,
  system: System,
  item: { id: string } | { fromQueue: RegExp },
): Promise<void> {
  if ('id' in item) {
    await reviewer.goto(`${system.server.url}/cms/items/${item.id}/zh-CN`);
  } else {
    await reviewer.goto(`${system.server.url}/cms`);
    await reviewer.getByTestId('review-queue').getByRole('link', { name: item.fromQueue }).click();
  }
  await reviewer.getByRole('button', { name: '批准并发布' }).click();
  await expect(reviewer.getByTestId('workflow-panel').locator('[data-state="published"]')).toBeVisible();
}
