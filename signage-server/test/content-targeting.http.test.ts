// Scheduling and targeting through the real server: the editor's plain form POST (no JavaScript) stores a schedule
// or is refused field by field; a device's manifest holds only what is targeted at it; the admin moving a device
// to another group changes its manifest at once and pushes manifest-changed on its open event stream.
import { apiPaths, ManifestV1, type EnrollResponseV1 as Enrolled } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, postForm, startServerAsAdmin, type AdminServer } from './support/cms-http';
import { signInNewUser } from './support/cms-users';
import { BUILD_PRESENT, NO_BUILD_MESSAGE, type ServerProcess } from './support/server-process';

if (!BUILD_PRESENT) console.warn(`skipping content targeting HTTP tests: ${NO_BUILD_MESSAGE}`);

let running: AdminServer;
let server: ServerProcess;
let session: string;
let reviewer: string;
const api = (p: string) => `${server.url}${p}`;

/** A form post as a browser without JavaScript sends it, by the admin. */
const form = (pathAndAction: string, fields: [string, string][], cookie = session) =>
  postForm(server.url, cookie, pathAndAction, fields);

const page = async (p: string) =>
  (await fetch(api(p), { headers: { cookie: session, accept: 'text/html' } })).text();

async function manifestOf(device: Enrolled) {
  const response = await fetch(api(apiPaths.manifest), {
    headers: { authorization: `Bearer ${device.credential}` },
  });
  expect(response.status).toBe(200);
  return { etag: response.headers.get('etag'), manifest: ManifestV1.parse(await response.json()) };
}

const moveTo = (device: Enrolled, name: string, group: string) =>
  form('/admin/devices?/update', [
    ['deviceId', device.deviceId],
    ['name', name],
    ['communityId', ''],
    ['group', group],
    ['tags', ''],
  ]);

describe.skipIf(!BUILD_PRESENT)('content scheduling and targeting (built server, real process)', () => {
  let lobbyA: Enrolled;
  let lobbyB: Enrolled;

  beforeAll(async () => {
    running = await startServerAsAdmin();
    ({ server, admin: session } = running);
    reviewer = await signInNewUser(server.url, session, 'reviewer1', ['reviewer']);
    lobbyA = await enrollDevice(server, 'Lobby A');
    lobbyB = await enrollDevice(server, 'Lobby B');
    expect((await moveTo(lobbyA, 'Lobby A', 'group-a')).status).toBe(200);
    expect((await moveTo(lobbyB, 'Lobby B', 'group-b')).status).toBe(200);
  }, 60_000);
  afterAll(() => running?.stop());

  it('refuses a bad schedule field by field, keeping what was typed, and stores nothing', async () => {
    const response = await form('/cms/items/new?/submit', [
      ['id', 'bad-schedule'],
      ['locale', 'zh-CN'],
      ['category', 'government'],
      ['title', '时段有误'],
      ['daypart.0.start', '07:00'],
      ['daypart.0.end', '09:00'],
      ['daypart.1.days', '6'],
      ['daypart.1.start', '25:00'],
      ['daypart.1.end', '02:00'],
      ['priority', '500'],
      ['extraTags', '保留的标签'],
    ]);
    expect(response.status).toBe(400);
    const html = await response.text();
    // every field at fault at once, each with its own message, and what was typed kept
    expect(html).toContain('优先级须为 0 到 100 之间的整数。');
    expect(html).toContain('请为此时段至少勾选一天。');
    expect(html).toContain('请填写开始和结束时间（HH:MM，如 07:30）。');
    expect(html).toContain('value="07:00"');
    expect(html).toContain('保留的标签');
    expect(await page('/cms')).not.toContain('bad-schedule');
  });

  it('publishes a targeted, scheduled item with plain POSTs (submit, review); only the targeted device gets it', async () => {
    const created = await form('/cms/items/new?/submit', [
      ['id', 'group-a-notice'],
      ['locale', 'zh-CN'],
      ['category', 'government'],
      ['title', 'A 组通知'],
      // every day, all day: in the manifest now, whatever the test machine's clock says
      ...[1, 2, 3, 4, 5, 6, 7].map((day): [string, string] => ['daypart.0.days', String(day)]),
      ['daypart.0.start', '00:00'],
      ['daypart.0.end', '00:00'],
      // the spare row a form without JavaScript always sends, left blank
      ['daypart.1.start', ''],
      ['daypart.1.end', ''],
      ['priority', '80'],
      ['target.groups', 'group-a'],
    ]);
    expect(created.status).toBe(303);
    // a second person reviews what the admin wrote
    const approved = await form('/cms/items/group-a-notice/zh-CN?/approvePublish', [], reviewer);
    expect(approved.status).toBe(303);
    const edit = await page('/cms/items/group-a-notice/zh-CN');
    expect(edit).toContain('每天 全天，分组 group-a');
    expect(await page('/cms')).toContain('每天 全天，分组 group-a');

    expect((await manifestOf(lobbyA)).manifest.items.map((i) => i.id)).toEqual(['group-a-notice']);
    expect((await manifestOf(lobbyB)).manifest.items).toEqual([]);
  });

  it('moving a device into the group changes its manifest at once and pushes manifest-changed', async () => {
    const before = await manifestOf(lobbyB);
    const events = await fetch(api(apiPaths.events), {
      headers: { authorization: `Bearer ${lobbyB.credential}` },
    });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 5_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${text}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error('stream ended');
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    await waitFor(/event: hello/);

    expect((await moveTo(lobbyB, 'Lobby B', 'group-a')).status).toBe(200);
    await waitFor(/event: manifest-changed/);
    const after = await manifestOf(lobbyB);
    expect(after.etag).not.toBe(before.etag);
    expect(after.manifest.items.map((i) => i.id)).toEqual(['group-a-notice']);
    expect(text).toContain(`"version":"${after.manifest.version}"`);
    // the ETag path still answers 304 for the new version
    const notModified = await fetch(api(apiPaths.manifest), {
      headers: { authorization: `Bearer ${lobbyB.credential}`, 'if-none-match': after.etag! },
    });
    expect(notModified.status).toBe(304);
    await reader.cancel();
  });
});
