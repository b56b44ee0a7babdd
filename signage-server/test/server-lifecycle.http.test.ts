import { apiPaths, ManifestV1, EnrollResponseV1 } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILD_PRESENT,
  NO_BUILD_MESSAGE,
  pairingCodeFromCli,
  startServer,
  type ServerProcess,
} from './support/server-process';

if (!BUILD_PRESENT) console.warn(`skipping server lifecycle HTTP tests: ${NO_BUILD_MESSAGE}`);

describe.skipIf(!BUILD_PRESENT)('first start and shutdown (built server, real process)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // LINLI_SEED_DEMO defaults to true: the demo pack is imported into the empty database
    server = await startServer({ LINLI_ADMIN_PASSWORD: 'lifecycle-admin-pw' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('imports the demo pack at first start and serves it to an enrolled device', async () => {
    expect(server.output()).toMatch(/imported demo pack demo: \d+ items/);
    const pairingCode = await pairingCodeFromCli(server.dataDir, ['--name', 'Demo lobby']);
    const enrolled = EnrollResponseV1.parse(
      await (
        await fetch(`${server.url}${apiPaths.enroll}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pairingCode, name: 'ignored: the code names the device' }),
        })
      ).json(),
    );
    const response = await fetch(`${server.url}${apiPaths.manifest}`, {
      headers: { authorization: `Bearer ${enrolled.credential}` },
    });
    const manifest = ManifestV1.parse(await response.json());
    expect(manifest.items.length).toBeGreaterThanOrEqual(40);
    expect(new Set(manifest.items.map((item) => item.locale))).toEqual(new Set(['zh-CN', 'en']));
    expect(manifest.assets.length).toBeGreaterThan(0);
  });

  it('ends open event streams on SIGTERM and exits cleanly', async () => {
    const pairingCode = await pairingCodeFromCli(server.dataDir);
    const { credential } = EnrollResponseV1.parse(
      await (
        await fetch(`${server.url}${apiPaths.enroll}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pairingCode, name: 'Listener' }),
        })
      ).json(),
    );
    const events = await fetch(`${server.url}${apiPaths.events}`, {
      headers: { authorization: `Bearer ${credential}` },
    });
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: hello');

    const exitCode = server.stop();
    // a clean end of the stream (done), not a reset: the server ended it on `sveltekit:shutdown` instead of
    // dropping the connection when server.js gives up waiting
    let ending: 'done' | 'reset' = 'reset';
    for (;;) {
      const chunk = await reader.read().catch(() => null);
      if (chunk === null) break;
      if (chunk.done) {
        ending = 'done';
        break;
      }
    }
    expect(ending).toBe('done');
    expect(await exitCode).toBe(0);
  });
});
