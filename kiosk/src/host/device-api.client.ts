import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createParser } from 'eventsource-parser';
import {
  alertPaths,
  ApiErrorBody,
  ASSET_BUNDLE_MEDIA_TYPE,
  DeviceAlertsV1,
  EnrollResponseV1,
  MANIFEST_SIGNATURE_HEADER,
  apiPaths,
  fleetPaths,
  type CommandAckV1,
  type EnrollRequestV1,
  type HeartbeatV1,
} from '@linli/content';
import { fail, ok, type Result } from '../shared/result';
import { RawHttpClient, type RawAnswer, type RawBody } from './raw-http';

/** Why a call to the server failed. `offline` and `server-error` are worth retrying; the others need a person. */
export type DeviceApiErrorKind =
  'offline' | 'unauthorized' | 'pairing-code-invalid' | 'server-error' | 'invalid-response';

/** A manifest answer: unchanged (304), or the exact signed bytes. */
export type ManifestFetch =
  | { status: 'not-modified' }
  | { status: 'modified'; body: Buffer; signature: string | null; etag: string | null };

/** An asset answer being received: its body (to stream and verify) and where in the file that body starts. */
export interface AssetDownload {
  body: AsyncIterable<Uint8Array>;
  offset: number;
}

/**
 * A bundle answer being received (its frames to read), or `unsupported`: a server without bundles, or a bundle
 * that lost its declared length on the way (`reason` says which, for the log).
 */
export type BundleDownload = { status: 'frames'; body: RawBody } | { status: 'unsupported'; reason: string };

/** One server-sent event. */
export interface ServerEvent {
  event: string;
  data: string;
}

/** Timeouts of the calls, in ms. The events stream has none: it is meant to stay open. */
export interface DeviceApiTimeouts {
  request: number;
  asset: number;
}

/** The kiosk's HTTP client for the device API (`@linli/content` protocol v1). */
export class DeviceApiClient {
  private readonly base: string;
  /**
   * Asset downloads use node:http on kept-alive sockets instead of fetch: fetch hands a body over as web-stream
   * chunks, each through promises and a copy, which made a cold sync of 110 MB cost the kiosk several times the
   * CPU of the bytes themselves (bench/sync-cold.mjs). An IncomingMessage yields the socket's own Buffers.
   */
  private readonly assetAgent: http.Agent;
  /** Bundle answers, the bulk of a cold sync's bytes, come through a client that does not copy them (raw-http.ts). */
  private bundleClient: RawHttpClient | null = null;

  /** Called with the server's time (its `Date` header) on every answer, so the kiosk notices a wrong clock. */
  onServerTime: ((serverTime: Date) => void) | null = null;

  constructor(
    serverUrl: string,
    private readonly timeouts: DeviceApiTimeouts = { request: 15_000, asset: 120_000 },
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    // Keep any path prefix (a server behind a reverse proxy at /linli/): join by string, not new URL(path, base).
    this.base = serverUrl.replace(/\/+$/, '');
    const agentOptions = { keepAlive: true, maxSockets: 8, maxFreeSockets: 8 };
    this.assetAgent = this.base.startsWith('https:')
      ? new https.Agent(agentOptions)
      : new http.Agent(agentOptions);
  }

  /** Closes the kept-alive sockets of asset downloads (the host is stopping). */
  close(): void {
    this.assetAgent.destroy();
    this.bundleClient?.close();
  }

  /** Exchanges a pairing code for a device credential and the server's public key. */
  async enroll(request: EnrollRequestV1): Promise<Result<EnrollResponseV1, DeviceApiErrorKind>> {
    const response = await this.request(apiPaths.enroll, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!response.ok) return response;
    const res = response.value;
    if (res.status === 201 || res.status === 200) {
      const parsed = EnrollResponseV1.safeParse(await res.json().catch(() => null));
      if (!parsed.success)
        return fail('invalid-response', 'the enrolment answer did not match EnrollResponseV1');
      return ok(parsed.data);
    }
    const error = await errorOf(res);
    if (
      res.status === 400 ||
      res.status === 403 ||
      res.status === 404 ||
      error.kind === 'pairing-code-invalid'
    ) {
      return fail('pairing-code-invalid', `the server refused the pairing code: ${error.message}`);
    }
    return fail('server-error', `enrolment failed with HTTP ${res.status}: ${error.message}`);
  }

  /** Fetches the manifest, sending the ETag of the one we have so an unchanged manifest costs a 304. */
  async fetchManifest(
    credential: string,
    etag: string | null,
  ): Promise<Result<ManifestFetch, DeviceApiErrorKind>> {
    const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
    if (etag) headers['if-none-match'] = etag;
    const response = await this.request(apiPaths.manifest, { headers });
    if (!response.ok) return response;
    const res = response.value;
    if (res.status === 304) return ok({ status: 'not-modified' });
    if (res.status !== 200) return this.failureOf(res, 'manifest');
    let body: Buffer;
    try {
      body = Buffer.from(await res.arrayBuffer());
    } catch (error) {
      return fail('offline', `the manifest download broke off: ${messageOf(error)}`);
    }
    return ok({
      status: 'modified',
      body,
      signature: res.headers.get(MANIFEST_SIGNATURE_HEADER),
      etag: res.headers.get('etag'),
    });
  }

  /**
   * Starts downloading an asset; the caller streams and verifies the body. With `fromByte` > 0 it asks for the
   * rest of the file only (`Range`, guarded by `If-Range` on the asset's ETag). `offset` says where the body
   * starts: `fromByte` for a 206 that resumes there, 0 when the server sent the whole file instead. The whole
   * download, body included, must end within the asset timeout; after it the body fails as a broken-off one.
   */
  async fetchAsset(
    credential: string,
    sha256: string,
    fromByte = 0,
  ): Promise<Result<AssetDownload, DeviceApiErrorKind>> {
    const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
    if (fromByte > 0) {
      headers.range = `bytes=${fromByte}-`;
      headers['if-range'] = `"${sha256}"`;
    }
    const answer = await this.getWithAgent(apiPaths.asset(sha256), headers, this.timeouts.asset);
    if (!answer.ok) return answer;
    const res = answer.value;
    if (res.statusCode === 200) return ok({ body: res, offset: 0 });
    if (res.statusCode === 206 && fromByte > 0) {
      const start = /^bytes (\d+)-\d+\/\d+$/.exec(res.headers['content-range'] ?? '')?.[1];
      if (Number(start) === fromByte) return ok({ body: res, offset: fromByte });
      res.destroy();
      return fail('invalid-response', `asset ${sha256}: a 206 for another range than bytes=${fromByte}-`);
    }
    if (res.statusCode === 416 && fromByte > 0) {
      // the kept part is not a prefix the server can continue (it cannot be longer than the file): start over
      res.resume();
      return this.fetchAsset(credential, sha256, 0);
    }
    const text = await textOf(res);
    return failureOfText(res.statusCode ?? 0, text, `asset ${sha256}`);
  }

  /**
   * Starts downloading many small assets in one answer (`POST /assets/bundle`); the caller reads its frames. A
   * server that predates bundles answers 404 or 405: `unsupported`, and the kiosk fetches the assets one by one.
   * So does a bundle without a declared length (see below).
   */
  async fetchBundle(
    credential: string,
    sha256s: readonly string[],
  ): Promise<Result<BundleDownload, DeviceApiErrorKind>> {
    let answer: RawAnswer;
    try {
      this.bundleClient ??= new RawHttpClient(this.base);
      answer = await this.bundleClient.request(
        'POST',
        apiPaths.assetBundle,
        { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        JSON.stringify({ sha256: sha256s }),
        this.timeouts.asset,
      );
    } catch (error) {
      return fail('offline', `cannot reach the server at ${this.base}: ${messageOf(error)}`);
    }
    const { head, body } = answer;
    this.noteServerTime(head.headers.get('date') ?? null);
    const isBundle = head.headers.get('content-type') === ASSET_BUNDLE_MEDIA_TYPE;
    if (head.status === 200 && isBundle && body) return ok({ status: 'frames', body });
    // 404/405: a server from before bundles. A bundle without a declared length: something between kiosk and
    // server re-framed it (a proxy that chunks), which the bundle client does not read. Either way the assets
    // come one by one, as they can.
    if (head.status === 404 || head.status === 405 || (head.status === 200 && isBundle)) {
      if (body) await textOf(body);
      const reason =
        head.status === 200
          ? 'an asset bundle came without its length (re-chunked on the way)'
          : 'the server has no asset bundles';
      return ok({ status: 'unsupported', reason });
    }
    const text = body ? await textOf(body) : '';
    if (head.status === 200) return fail('invalid-response', 'the bundle answer is not an asset bundle');
    return failureOfText(head.status, text, 'asset bundle');
  }

  /**
   * A GET on the asset agent. Resolves with the answer once its headers arrived; the
   * timer keeps running over the body, which it destroys (an error for whoever reads it) when the time is up.
   */
  private getWithAgent(
    path: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<Result<IncomingMessage, DeviceApiErrorKind>> {
    const send = this.base.startsWith('https:') ? https.request : http.request;
    return new Promise((resolve) => {
      let settled = false;
      const options = { method: 'GET', headers, agent: this.assetAgent };
      const request = send(this.base + path, options, (res) => {
        settled = true;
        this.noteServerTime(res.headers.date ?? null);
        res.once('close', () => clearTimeout(timer));
        resolve(ok(res));
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`no complete answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      // the socket keeps a running download alive; this timer alone must not hold a stopping host
      timer.unref();
      request.once('error', (error) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          resolve(fail('offline', `cannot reach the server at ${this.base}: ${messageOf(error)}`));
        }
      });
      request.end();
    });
  }

  /**
   * Opens the events stream and calls `onEvent` for each event until the stream ends, fails or `signal` aborts.
   * Resolves with how it ended; the caller reconnects.
   */
  async streamEvents(
    credential: string,
    signal: AbortSignal,
    onOpen: () => void,
    onEvent: (event: ServerEvent) => void,
  ): Promise<Result<'ended', DeviceApiErrorKind>> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + apiPaths.events, {
        headers: { authorization: `Bearer ${credential}`, accept: 'text/event-stream' },
        signal,
      });
    } catch (error) {
      return fail('offline', `cannot reach the server events: ${messageOf(error)}`);
    }
    this.noteServerTime(res);
    if (res.status !== 200 || !res.body) return this.failureOf(res, 'events');
    onOpen();
    const parser = createParser({
      onEvent: (event) => onEvent({ event: event.event ?? 'message', data: event.data }),
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (error) {
      if (signal.aborted) return ok('ended');
      return fail('offline', `the events stream broke off: ${messageOf(error)}`);
    }
    return ok('ended');
  }

  /**
   * POSTs JSON to a device-API path with the device credential (payments). Any HTTP answer is `ok` with its status
   * and parsed body (null when not JSON): the caller reads the error kinds of its own protocol.
   */
  async postJson(
    credential: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Result<{ status: number; body: unknown; replayed: boolean }, DeviceApiErrorKind>> {
    return this.jsonAnswer(
      await this.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers },
        body: JSON.stringify(body),
      }),
    );
  }

  /** GETs a device-API path with the device credential (an order's state); answers as `postJson` does. */
  async getJson(
    credential: string,
    path: string,
  ): Promise<Result<{ status: number; body: unknown; replayed: boolean }, DeviceApiErrorKind>> {
    return this.jsonAnswer(await this.request(path, { headers: { authorization: `Bearer ${credential}` } }));
  }

  /** Any HTTP answer as its status and parsed body (null when not JSON); a body that breaks off is `offline`. */
  private async jsonAnswer(
    response: Result<Response, DeviceApiErrorKind>,
  ): Promise<Result<{ status: number; body: unknown; replayed: boolean }, DeviceApiErrorKind>> {
    if (!response.ok) return response;
    const res = response.value;
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      return fail('offline', `the answer broke off: ${messageOf(error)}`);
    }
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): the status tells the caller enough
    }
    return ok({
      status: res.status,
      body: parsed,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    });
  }

  /** Sends the fleet heartbeat (`HeartbeatV1`); the answer carries nothing the kiosk needs beyond success. */
  async sendHeartbeat(credential: string, report: HeartbeatV1): Promise<Result<void, DeviceApiErrorKind>> {
    const response = await this.request(fleetPaths.heartbeat, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify(report),
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return this.failureOf(response.value, 'heartbeat');
    await response.value.body?.cancel();
    return ok(undefined);
  }

  /** Acknowledges a remote command: JSON `CommandAckV1`, or for a screenshot the PNG bytes themselves. */
  async acknowledgeCommand(
    credential: string,
    commandId: string,
    ack: CommandAckV1 | { png: Buffer },
  ): Promise<Result<void, DeviceApiErrorKind>> {
    const png = 'png' in ack ? ack.png : null;
    const response = await this.request(fleetPaths.commandAck(commandId), {
      method: 'POST',
      headers: {
        'content-type': png ? 'image/png' : 'application/json',
        authorization: `Bearer ${credential}`,
      },
      body: png ? new Uint8Array(png) : JSON.stringify(ack),
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return this.failureOf(response.value, `ack of command ${commandId}`);
    await response.value.body?.cancel();
    return ok(undefined);
  }

  /** The device's active alerts (`GET /api/v1/device/alerts`): the polling path when the event stream is down. */
  async fetchAlerts(credential: string): Promise<Result<DeviceAlertsV1, DeviceApiErrorKind>> {
    const response = await this.request(alertPaths.deviceAlerts, {
      headers: { authorization: `Bearer ${credential}` },
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return this.failureOf(response.value, 'alerts');
    const parsed = DeviceAlertsV1.safeParse(await response.value.json().catch(() => null));
    if (!parsed.success) return fail('invalid-response', 'the alerts answer did not match DeviceAlertsV1');
    return ok(parsed.data);
  }

  private async request(
    path: string,
    init: RequestInit,
    timeoutMs = this.timeouts.request,
  ): Promise<Result<Response, DeviceApiErrorKind>> {
    try {
      const response = await this.fetchImpl(this.base + path, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
      });
      this.noteServerTime(response);
      return ok(response);
    } catch (error) {
      return fail('offline', `cannot reach the server at ${this.base}: ${messageOf(error)}`);
    }
  }

  private noteServerTime(response: Response | string | null): void {
    const header =
      typeof response === 'object' && response !== null ? response.headers.get('date') : response;
    const serverTime = header ? new Date(header) : null;
    if (serverTime && !Number.isNaN(serverTime.getTime())) this.onServerTime?.(serverTime);
  }

  private async failureOf(res: Response, what: string): Promise<Result<never, DeviceApiErrorKind>> {
    return failureOfText(res.status, await res.text().catch(() => ''), what);
  }
}

function failureOfText(status: number, text: string, what: string): Result<never, DeviceApiErrorKind> {
  const error = errorOfText(text);
  if (status === 401)
    return fail('unauthorized', `the server refused this kiosk's credential: ${error.message}`);
  return fail('server-error', `${what}: HTTP ${status} ${error.message}`);
}

async function errorOf(res: Response): Promise<{ kind: string; message: string }> {
  return errorOfText(await res.text().catch(() => ''));
}

/** The body of an error answer, as text (at most 64 KB: enough for any error body, bounded for a broken one). */
async function textOf(res: IncomingMessage | RawBody): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      chunks.push(chunk as Uint8Array);
      size += (chunk as Uint8Array).byteLength;
      if (size > 65_536) break;
    }
  } catch {
    // a broken error body: the status still tells enough
  }
  if (!res.complete) res.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

function errorOfText(text: string): { kind: string; message: string } {
  try {
    const parsed = ApiErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return { kind: 'unknown', message: text.slice(0, 200) };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
