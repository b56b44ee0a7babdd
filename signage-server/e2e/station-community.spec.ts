// A street office's station serves several communities: the clerk picks one, and the station's pages (unit search
// for issuing cards, the cash drawer) work on it; the choice sticks to this browser (the station PC). Real server,
// real Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-station-community-password';
let server: Awaited<ReturnType<typeof startServer>>;
let work: string;

test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-station-community-'));
  server = await startServer({
    dataDir: path.join(work, 'server'),
    env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
});

test.afterAll(async () => {
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('a station serving two communities works on the one the clerk picked', async ({ browser }) => {
  const page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/admin/registry');

  // One community only (the demo): no picker, nothing to choose.
  await page.goto(`${server.url}/station`);
  await expect(page.getByTestId('station-community')).toHaveCount(0);
  // The demo community's unit is found.
  await page.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await page.getByRole('button', { name: '查找住户' }).click();
  await expect(page.getByText('1号楼 1-0502')).toBeVisible();

  // A second community with its own building 1.
  await page.goto(`${server.url}/admin/registry`);
  await page.getByLabel('社区名称').fill('河畔社区');
  await page.getByRole('button', { name: '新建社区' }).click();
  await page.waitForURL(/\/admin\/registry\/[^/]+$/);

  await page.goto(`${server.url}/station/close`);
  const picker = page.getByTestId('station-community');
  await expect(picker).toBeVisible();
  const demo = await page.getByLabel('本服务站服务的社区').inputValue();
  await page.getByLabel('本服务站服务的社区').selectOption({ label: '河畔社区' });
  await picker.getByRole('button', { name: '切换' }).click();
  // Back on the page it was chosen on, now for the new community.
  await page.waitForURL((url) => url.pathname === '/station/close');
  await expect(page.getByLabel('本服务站服务的社区')).not.toHaveValue(demo);

  // The unit search now looks in the new community, which has no building 1.
  await page.goto(`${server.url}/station`);
  await page.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await page.getByRole('button', { name: '查找住户' }).click();
  await expect(page.getByText('1号楼 1-0502')).toHaveCount(0);

  // A forged choice of a community that does not exist is refused.
  const forged = await page.request.post(`${server.url}/station/community`, {
    form: { communityId: 'no-such-community', next: '/station' },
    headers: { origin: server.url },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(404);
  // And a redirect target outside the station is not followed.
  await page.getByLabel('本服务站服务的社区').selectOption(demo);
  const chosen = await page.request.post(`${server.url}/station/community`, {
    form: { communityId: demo, next: 'https://evil.example/' },
    headers: { origin: server.url },
    maxRedirects: 0,
  });
  expect(chosen.status()).toBe(303);
  expect(chosen.headers().location).toBe('/station');
  await page.goto(`${server.url}/station`);
  await page.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await page.getByRole('button', { name: '查找住户' }).click();
  await expect(page.getByText('1号楼 1-0502')).toBeVisible();
  await page.context().close();
});
