import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publishPackOrFixtures } from './demo-content';
import { FakeSignageServer } from './fake-signage-server';

// A stand-in signage server for trying the kiosk without the real one:
//   npx tsx kiosk/src/host/testing/fake-signage-server.cli.ts [--port 8090] [--pack content/packs/demo]
// It prints its URL and a pairing code; then `npm run kiosk -- --server <url> --pairing-code <code>`.

const { values } = parseArgs({ options: { port: { type: 'string' }, pack: { type: 'string' } } });
const server = await FakeSignageServer.start(Number(values.port ?? 0));
const pack = values.pack ?? fileURLToPath(new URL('../../../../content/packs/demo', import.meta.url));
const source = await publishPackOrFixtures(server, pack);
process.stdout.write(`SERVER_URL=${server.url}\nPAIRING_CODE=${server.createPairingCode()}\n`);
process.stderr.write(
  `fake signage server with ${source === 'pack' ? pack : 'the fixture content'}; Ctrl-C stops it\n`,
);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop).on('SIGTERM', stop);
