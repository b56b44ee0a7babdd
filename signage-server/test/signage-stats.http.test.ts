import { randomUUID } from 'node:crypto';
import {
  ApiErrorBody,
  apiPaths,
  DeviceStatsResponseV1,
  ManifestV1,
  signagePaths,
  type EnrollResponseV1 as Enrolled,
} from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, postForm, startServerAsAdmin, type AdminServer } from './support/cms-http';
import { BUILD_PRESENT, NO_BUILD_MESSAGE, type ServerProcess } from './support/server-process';

// Playlists, layouts and proof-of-play over real HTTP against the built server: the CMS forms work as plain
// POSTs (no JavaScript), the manifest carries the layout, and the stats endpoint refuses bad batches without
// writing anything and counts a repeated batch once.

if (!BUILD_PRESENT) console.warn(`skipping signage stats HTTP tests: ${NO_BUILD_MESSAGE}`);

let running: AdminServer;
let server: ServerProcess;
let session: string;
let device: Enrolled;

const api = (p: string) => `${server.url}${p}`;
const bearer = () => ({ authorization: `Bearer ${device.credential}` });

const cmsForm = (pathAndAction: string, fields: [string, string][]) =>
  postForm(server.url, session, pathAndAction, fields);

const postStats = (body: string, headers: Record<string, string> = bearer()) =>
  fetch(api(signagePaths.deviceStats), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

const play = (itemId: string, startedAt: string) => ({
  itemId,
  assetSha256: null,
  zone: 'main',
  startedAt,
  durationMs: 8_000,
});

async function statsRows(from: string, to: string) {
  const csv = await fetch(api(`/cms/stats/export.csv?from=${from}&to=${to}`), {
    headers: { cookie: session },
  });
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  return (await csv.text())
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1);
}

describe.skipIf(!BUILD_PRESENT)('playlists, layouts and proof-of-play over HTTP', () => {
  beforeAll(async () => {
    running = await startServerAsAdmin({ seedDemo: true });
    ({ server, admin: session } = running);
    device = await enrollDevice(server, 'Lobby');
  }, 60_000);
  afterAll(() => running?.stop());

  it('builds a playlist and a layout with plain form posts, and the manifest carries them', async () => {
    const manifest = async () =>
      ManifestV1.parse(await (await fetch(api(apiPaths.manifest), { headers: bearer() })).json());
    const before = await manifest();
    expect(before.layout).toBeUndefined();
    const itemIds = [...new Set(before.items.map((item) => item.id))].slice(0, 2);
    expect(itemIds).toHaveLength(2);

    const created = await cmsForm('/cms/playlists?/create', [['name', '大堂轮播']]);
    expect(created.status).toBe(303);
    const playlistPath = created.headers.get('location')!;
    expect(playlistPath).toMatch(/^\/cms\/playlists\/pl-/);
    for (const id of itemIds) {
      const added = await cmsForm(`${playlistPath}?/add`, [
        ['source', `item:${id}`],
        ['durationSeconds', '6'],
        ['transition', 'slide'],
      ]);
      expect(added.status).toBe(303);
    }
    // a bad entry is refused with the field named, and nothing is added
    const refused = await cmsForm(`${playlistPath}?/add`, [
      ['source', 'item:does-not-exist'],
      ['durationSeconds', '6'],
      ['transition', 'fade'],
    ]);
    expect(refused.status).toBe(400);
    // the second entry moves up
    expect(
      (
        await cmsForm(`${playlistPath}?/move`, [
          ['position', '1'],
          ['direction', 'up'],
        ])
      ).status,
    ).toBe(303);

    const layout = await cmsForm('/cms/layouts?/create', [
      ['name', '大堂横屏'],
      ['template', 'main-ticker'],
    ]);
    expect(layout.status).toBe(303);
    const playlistId = playlistPath.split('/').pop()!;
    const saved = await cmsForm(`${layout.headers.get('location')}?/save`, [
      ['name', '大堂横屏'],
      ['template', 'main-ticker'],
      ['priority', '60'],
      ['zone-main', playlistId],
      ['zone-ticker', playlistId],
      ['groups', ''],
      ['tags', ''],
    ]);
    expect(saved.status).toBe(303);

    const after = await manifest();
    expect(after.version).not.toBe(before.version);
    expect(after.layout).toMatchObject({
      template: 'main-ticker',
      zones: { main: playlistId, ticker: playlistId },
    });
    expect(after.playlists?.[0]?.entries.map((entry) => entry.itemId)).toEqual([itemIds[1], itemIds[0]]);
    expect(after.playlists?.[0]?.entries[0]).toMatchObject({ durationSeconds: 6, transition: 'slide' });

    const page = await fetch(api(playlistPath), { headers: { cookie: session } });
    expect(await page.text()).toContain('data-testid="playlist-entry"');
    const audit = await fetch(api('/admin/audit?action=playlist.add-entry'), {
      headers: { cookie: session },
    });
    expect(await audit.text()).toContain('playlist.add-entry');
  });

  it('refuses bad batches with a clear error and writes nothing', async () => {
    const good = {
      batchId: randomUUID(),
      plays: [play('notice-x', '2026-11-25T02:00:00.000Z')],
      touches: [],
    };
    const cases: [string, Response, number, string][] = [
      ['no credential', await postStats(JSON.stringify(good), {}), 401, 'unauthorized'],
      ['not JSON', await postStats('{"batchId":'), 400, 'invalid-body'],
      ['empty batch', await postStats(JSON.stringify({ ...good, plays: [] })), 400, 'invalid-body'],
      [
        'a bad zone',
        await postStats(JSON.stringify({ ...good, plays: [{ ...good.plays[0], zone: 'sidebar' }] })),
        400,
        'invalid-body',
      ],
      ['a bad batch id', await postStats(JSON.stringify({ ...good, batchId: 'one' })), 400, 'invalid-body'],
      [
        'too many plays',
        await postStats(JSON.stringify({ ...good, plays: Array.from({ length: 501 }, () => good.plays[0]) })),
        400,
        'invalid-body',
      ],
    ];
    for (const [name, response, status, kind] of cases) {
      expect({ name, status: response.status }).toEqual({ name, status });
      expect(ApiErrorBody.parse(await response.json()).error.kind).toBe(kind);
    }
    expect(await statsRows('2026-11-25', '2026-11-25')).toEqual([]);
  });

  it('counts a repeated batch once and reports it per item, device and day', async () => {
    const batch = JSON.stringify({
      batchId: randomUUID(),
      plays: [play('notice-y', '2026-11-25T02:00:00.000Z'), play('notice-y', '2026-11-25T02:00:08.000Z')],
      touches: [{ itemId: 'notice-y', openedAt: '2026-11-25T02:01:00.000Z', dwellMs: 15_000 }],
    });
    const first = await postStats(batch);
    expect(first.status).toBe(201);
    expect(DeviceStatsResponseV1.parse(await first.json())).toMatchObject({
      plays: 2,
      touches: 1,
      replayed: false,
    });
    const again = await postStats(batch);
    expect(again.status).toBe(200);
    expect(DeviceStatsResponseV1.parse(await again.json())).toMatchObject({
      plays: 2,
      touches: 1,
      replayed: true,
    });

    const rows = await statsRows('2026-11-25', '2026-11-25');
    expect(rows).toEqual([`2026-11-25,${device.deviceId},Lobby,notice-y,,2,16,1,15`]);
    const page = await fetch(api('/cms/stats?from=2026-11-25&to=2026-11-25'), {
      headers: { cookie: session },
    });
    const html = await page.text();
    expect(html).toContain('data-testid="stats-chart"');
    expect(html).toMatch(/data-testid="stats-row" data-subject="notice-y" data-plays="2"/);
  });

  // last: the server answers 413 without reading the body, which leaves that keep-alive connection unusable
  it('refuses a body over 256 KB', async () => {
    const batch = {
      batchId: randomUUID(),
      plays: [play('notice-z', '2026-11-26T02:00:00.000Z')],
      touches: [],
    };
    const response = await postStats(JSON.stringify({ ...batch, padding: 'x'.repeat(300 * 1024) }));
    expect(response.status).toBe(413);
    expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('payload-too-large');
  });
});
