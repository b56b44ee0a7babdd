// Shared pieces of the benchmarks: load generation with wrk and an nginx baseline on loopback.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, stopProcess, waitForHttp } from '../scripts/lib/processes.mjs';

/** Fails with a clear message when a tool the benchmark needs is missing. */
export function requireTool(name, hint) {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`${name} is not installed (${hint}); run scripts/setup-system.sh`);
    process.exit(1);
  }
  return result.stdout.trim();
}

/**
 * Runs wrk against `url` and returns requests/s and latency percentiles (ms).
 * @param {{url: string, connections?: number, threads?: number, seconds?: number, headers?: Record<string,string>}} options
 */
export function wrk({ url, connections = 50, threads = 2, seconds = 10, headers = {} }) {
  requireTool('wrk', 'apt package wrk');
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency'];
  for (const [key, value] of Object.entries(headers)) args.push('-H', `${key}: ${value}`);
  args.push(url);
  const result = spawnSync('wrk', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const percentile = (p) => {
    const m = out.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*/)?.[0] ?? '';
  return { rps, p50: percentile(50), p99: percentile(99), non2xx, errors, raw: out };
}

/**
 * Starts nginx (one worker, like our one server process) serving `file` at `/<basename>` on a free port.
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startNginx(file) {
  requireTool('nginx', 'apt package nginx-light');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-nginx-'));
  const root = path.dirname(path.resolve(file));
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { application/json json; }
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
  // nginx's worker drops root for `nobody`: the served file and the folders above it must be world-readable.
  for (let d = root; d !== path.dirname(d) && d.startsWith(os.tmpdir()); d = path.dirname(d))
    fs.chmodSync(d, 0o755);
  fs.chmodSync(file, 0o644);
  const child = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/${path.basename(file)}`;
  const stop = async () => {
    await stopProcess(child, 2_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(url, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** Prints the benchmark's result as the last line of output. */
export function report(result) {
  console.log(JSON.stringify(result));
}
