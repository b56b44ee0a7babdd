import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = path.join(here, '../../../node_modules/.bin/tsx');

describe('createLogger', () => {
  it('writes one tagged line per event', () => {
    const lines: string[] = [];
    createLogger('sync', (line) => lines.push(line)).warn('asset missing', { sha256: 'ab' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN \[sync\] asset missing \{"sha256":"ab"\}\n$/);
  });

  it('goes quiet when nobody reads stderr any more, instead of looping on EPIPE', async () => {
    const child = spawn(tsx, [path.join(here, 'logger.fixture.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    // the reader of stderr goes away, as a closed terminal or a restarted journal does
    child.stderr.destroy();
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // a child caught in the loop never finishes by itself (and must not outlive the test)
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(kill);
    expect(code, 'the child kept logging its own EPIPE until it was killed').toBe(0);
    expect(JSON.parse(out)).toEqual({ uncaught: 0 });
  }, 20_000);
});
