import { ManifestV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditService } from '../audit/audit.service';
import { publishReviewed } from '../content/content-workflow.fixture';
import type { ContentDraftInput } from '../content/content.schema';
import { createPlaylistServices } from '../playlists.services';
import { createTestSignage } from '../testing/signage.fixture';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let services: ReturnType<typeof createPlaylistServices>;
let audit: AuditService;
const editor = { id: 'u-editor', username: 'editor' };

const publish = (id: string, over: Partial<ContentDraftInput> = {}) => {
  const result = publishReviewed(signage.content, {
    id,
    locale: 'zh-CN',
    category: 'government',
    title: `标题 ${id}`,
    ...over,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
};

function enroll(name: string, communityId: string | null, group = '') {
  const code = signage.devices.createPairingCode(
    { deviceName: name, communityId: communityId ?? '' },
    editor,
  );
  if (!code.ok) throw new Error(code.error.message);
  const enrolled = signage.devices.enroll(
    { pairingCode: code.value.code, name, platform: 'linux', appVersion: '0.1.0' },
    signage.keys.publicKeyBase64,
  );
  if (!enrolled.ok) throw new Error('enrol');
  const updated = signage.devices.update(
    enrolled.value.deviceId,
    { name, communityId: communityId ?? '', group, tags: '', buildingId: '' },
    editor,
  );
  if (!updated.ok) throw new Error(updated.error.message);
  return { id: enrolled.value.deviceId, name, communityId };
}

/** A picture in the library (the row is what playlists and manifests read; the bytes are the media library's). */
function picture(sha256: string) {
  signage.db
    .prepare(
      `INSERT INTO assets (sha256, size, mime, original_name, created_at) VALUES (?, 1234, 'image/png', 'poster.png', 'x')`,
    )
    .run(sha256);
  return sha256;
}

const manifestOf = (device: { id: string; name: string; communityId: string | null }) =>
  ManifestV1.parse(JSON.parse(signage.manifests.forDevice(device).body.toString('utf8')));

function playlistWith(name: string, sources: string[]) {
  const created = services.playlists.createPlaylist({ name }, editor);
  if (!created.ok) throw new Error(created.error.message);
  for (const source of sources) {
    const added = services.playlists.addEntry(
      created.value.id,
      { source, durationSeconds: '8', transition: 'fade' },
      editor,
    );
    if (!added.ok) throw new Error(`${added.error.kind}: ${added.error.message}`);
  }
  return created.value.id;
}

function layoutWith(
  template: 'full' | 'main-ticker' | 'main-column-clock',
  zones: Record<string, string>,
  over: { priority?: string; groups?: string[]; communities?: string[] } = {},
) {
  const created = services.playlists.createLayout({ name: `布局 ${template}`, template }, editor);
  if (!created.ok) throw new Error(created.error.message);
  const saved = services.playlists.saveLayout(
    created.value.id,
    {
      name: created.value.name,
      template,
      priority: (over.priority ?? '50') as never,
      target: { communities: over.communities ?? [], buildings: [], groups: over.groups ?? [], tags: [] },
      zones,
    },
    editor,
  );
  if (!saved.ok) throw new Error(`${saved.error.kind}: ${saved.error.message}`);
  return created.value.id;
}

beforeEach(() => {
  signage = createTestSignage();
  audit = new AuditService(signage.db, signage.clock);
  services = createPlaylistServices({
    config: { statsRetentionDays: 90 },
    clock: signage.clock,
    db: signage.db,
    audit,
    signage,
  });
  signage.db.exec(`
    INSERT INTO communities (id, name, time_zone, created_at) VALUES ('xingfuli', '幸福里', 'Asia/Shanghai', 'x');
  `);
});
afterEach(() => signage.cleanup());

const actions = () =>
  (signage.db.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all() as string[]).filter(
    (action) => action.startsWith('playlist.') || action.startsWith('layout.'),
  );

describe('playlists', () => {
  it('keeps the running order through add, move and remove, and audits every change', () => {
    publish('a');
    publish('b');
    publish('c');
    const id = playlistWith('大堂', ['item:a', 'item:b', 'item:c']);
    const order = () => services.playlists.getPlaylist(id)!.entries.map((entry) => entry.itemId);
    expect(order()).toEqual(['a', 'b', 'c']);
    expect(services.playlists.moveEntry(id, 2, -1, editor).ok).toBe(true);
    expect(order()).toEqual(['a', 'c', 'b']);
    expect(services.playlists.moveEntry(id, 0, -1, editor)).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
    expect(services.playlists.removeEntry(id, 0, editor).ok).toBe(true);
    expect(order()).toEqual(['c', 'b']);
    expect(services.playlists.getPlaylist(id)!.entries.map((entry) => entry.position)).toEqual([0, 1]);
    expect(actions()).toEqual([
      'playlist.create',
      'playlist.add-entry',
      'playlist.add-entry',
      'playlist.add-entry',
      'playlist.move-entry',
      'playlist.remove-entry',
    ]);
  });

  it.each([
    ['an unknown item', { source: 'item:nope', durationSeconds: '8', transition: 'fade' }, 'source'],
    [
      'an unknown asset',
      { source: `asset:${'f'.repeat(64)}`, durationSeconds: '8', transition: 'fade' },
      'source',
    ],
    ['a malformed source', { source: 'video:x', durationSeconds: '8', transition: 'fade' }, 'source'],
    ['too short', { source: 'item:a', durationSeconds: '1', transition: 'fade' }, 'durationSeconds'],
    ['too long', { source: 'item:a', durationSeconds: '3601', transition: 'fade' }, 'durationSeconds'],
    ['an unknown transition', { source: 'item:a', durationSeconds: '8', transition: 'zoom' }, 'transition'],
  ])('refuses %s and writes nothing', (_name, input, field) => {
    publish('a');
    const id = playlistWith('大堂', []);
    const before = signage.db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get();
    const result = services.playlists.addEntry(id, input, editor);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', params: { field } } });
    expect(services.playlists.getPlaylist(id)!.entries).toEqual([]);
    expect(signage.db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(before);
  });

  it('accepts a picture of the library and refuses to delete a playlist a layout uses', () => {
    const id = playlistWith('图片', [`asset:${picture('a'.repeat(64))}`]);
    const layout = layoutWith('full', { main: id });
    expect(services.playlists.deletePlaylist(id, editor)).toMatchObject({
      ok: false,
      error: { kind: 'in-use', params: { count: 1 } },
    });
    expect(services.playlists.deleteLayout(layout, editor).ok).toBe(true);
    expect(services.playlists.deletePlaylist(id, editor).ok).toBe(true);
  });
});

describe('layouts in the manifest', () => {
  it('gives a device the highest-priority layout targeted at it, with only the items it may see', () => {
    publish('everyone');
    publish('lobby-only', { target: { communities: [], buildings: [], groups: ['lobby'], tags: [] } });
    const main = playlistWith('主区', ['item:everyone', 'item:lobby-only']);
    const ticker = playlistWith('字幕', ['item:everyone']);
    layoutWith('full', { main }, { priority: '10' });
    const lobbyLayout = layoutWith('main-ticker', { main, ticker }, { priority: '80', groups: ['lobby'] });

    const lobby = enroll('lobby', 'xingfuli', 'lobby');
    const gate = enroll('gate', 'xingfuli', 'gate');
    const lobbyManifest = manifestOf(lobby);
    expect(lobbyManifest.layout).toMatchObject({
      id: lobbyLayout,
      template: 'main-ticker',
      zones: { main, ticker },
      timeZone: 'Asia/Shanghai',
    });
    expect(lobbyManifest.playlists?.find((p) => p.id === main)?.entries.map((e) => e.itemId)).toEqual([
      'everyone',
      'lobby-only',
    ]);
    const gateManifest = manifestOf(gate);
    expect(gateManifest.layout?.template).toBe('full');
    // the gate may not see the lobby-only item: its entry is left out, not just hidden on the kiosk
    expect(gateManifest.playlists?.[0]?.entries.map((e) => e.itemId)).toEqual(['everyone']);
  });

  it('moves the version and pushes a change when a playlist changes, and adds playlist pictures to assets', () => {
    publish('a');
    const id = playlistWith('主区', ['item:a']);
    layoutWith('full', { main: id });
    const device = enroll('lobby', 'xingfuli');
    const before = manifestOf(device);
    const changes: string[] = [];
    signage.manifests.onChange((_scope, version) => changes.push(version));
    const sha = picture('b'.repeat(64));
    services.playlists.addEntry(
      id,
      { source: `asset:${sha}`, durationSeconds: '5', transition: 'slide' },
      editor,
    );
    const after = manifestOf(device);
    expect(after.version).not.toBe(before.version);
    expect(changes).toContain(after.version);
    expect(after.assets.map((a) => a.sha256)).toContain(sha);
    expect(after.playlists?.[0]?.entries).toEqual([
      { itemId: 'a', assetSha256: null, durationSeconds: 8, transition: 'fade' },
      { itemId: null, assetSha256: sha, durationSeconds: 5, transition: 'slide' },
    ]);
  });

  it('leaves manifests without a layout unchanged for old kiosks', () => {
    publish('a');
    const device = enroll('lobby', 'xingfuli');
    const manifest = JSON.parse(signage.manifests.forDevice(device).body.toString('utf8')) as object;
    expect(manifest).not.toHaveProperty('layout');
    expect(manifest).not.toHaveProperty('playlists');
  });
});
