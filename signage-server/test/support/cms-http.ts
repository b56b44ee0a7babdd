import { apiPaths, EnrollResponseV1 } from '@linli/content';
import { login, pairingCodeFromCli, startServer, type ServerProcess } from './server-process';

/** Form fields as pairs (order and repeats kept, as a form sends them) or by name (a list repeats the name). */
export type FormFields = [string, string][] | Record<string, string | string[]>;

/**
 * A form post as a browser without JavaScript sends it: urlencoded, from the server's own origin (the CSRF check
 * wants it), with the session cookie. Redirects are not followed: tests assert on them.
 */
export function postForm(
  url: string,
  cookie: string,
  pathAndAction: string,
  fields: FormFields = [],
): Promise<Response> {
  const pairs = Array.isArray(fields)
    ? fields
    : Object.entries(fields).flatMap(([name, value]) =>
        [value].flat().map((one): [string, string] => [name, one]),
      );
  return fetch(`${url}${pathAndAction}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: url,
      cookie,
      accept: 'text/html',
    },
    body: new URLSearchParams(pairs),
    redirect: 'manual',
  });
}

/** A built server of one test file, with the admin signed in. */
export interface AdminServer {
  server: ServerProcess;
  /** The admin's session cookie. */
  admin: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * Starts the built server with a known admin password (and the demo data only when `seedDemo` is set: most tests
 * read only what they wrote) and signs the admin in.
 */
export async function startServerAsAdmin(
  options: { seedDemo?: boolean; env?: Record<string, string> } = {},
): Promise<AdminServer> {
  const password = 'http-test-admin-password';
  const server = await startServer({
    LINLI_ADMIN_PASSWORD: password,
    LINLI_SEED_DEMO: options.seedDemo ? 'true' : 'false',
    ...options.env,
  });
  const stop = async () => {
    await server.stop();
    server.cleanup();
  };
  try {
    return { server, admin: await login(server.url, 'admin', password), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Enrols a device with a fresh code from the pairing-code CLI, as an installer does; returns what the server gave. */
export async function enrollDevice(server: ServerProcess, name: string): Promise<EnrollResponseV1> {
  const pairingCode = await pairingCodeFromCli(server.dataDir);
  const response = await fetch(`${server.url}${apiPaths.enroll}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pairingCode, name, platform: 'test', appVersion: '0.0.0' }),
  });
  if (response.status !== 201)
    throw new Error(`enrolling ${name} failed: ${response.status} ${await response.text()}`);
  return EnrollResponseV1.parse(await response.json());
}
