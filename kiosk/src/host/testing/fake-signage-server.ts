import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
  ASSET_BUNDLE_MEDIA_TYPE,
  AssetBundleRequestV1,
  assetBundleFrameHeader,
  ContentItem,
  EnrollRequestV1,
  MANIFEST_SIGNATURE_HEADER,
  ManifestV1,
  PAIRING_CODE_ALPHABET,
  assemblePassToken,
  encodePassPayload,
  UnitLookupRequestV1,
  VisitorRegistrationV1,
  apiPaths,
  type VisitStatus,
  type VisitStatusV1,
  type VisitorBuildingV1,
  type AssetMime,
  type AssetRef,
} from '@linli/content';

/** A content item as tests write it: defaults filled in by ContentItem. */
export type FakeItemInput = z.input<typeof ContentItem>;

/** One request the fake saw, for assertions (e.g. that If-None-Match was sent). */
export interface SeenRequest {
  method: string;
  path: string;
  ifNoneMatch: string | null;
  authorization: string | null;
}

/** A visit as the fake holds it. */
export interface FakeVisit {
  visitId: string;
  registration: VisitorRegistrationV1;
  status: VisitStatus;
  hostMasked: string | null;
  pass: VisitStatusV1['pass'];
}

/** The fake's visitor side: buildings, units and the visits it made (kept across a simulated restart). */
export interface FakeVisitorState {
  buildings: VisitorBuildingV1[];
  /** What the buildings answer states as the retention period (null: the field is left out). */
  retentionDays: number | null;
  /** `${buildingId}/${unitNumber}` → masked surnames of the residents who confirm. */
  units: Map<string, { label: string; residentsMasked: string[] }>;
  /** ID numbers on the watch list: a registration with one goes to `see-guard`. */
  watchList: Set<string>;
  visits: Map<string, FakeVisit>;
  /** Every registration POST that reached the fake, accepted or replayed (clientRef, deferred). */
  received: { clientRef: string; deferred: boolean }[];
}

/** Everything a fake keeps, so a test can stop it and start another on the same port as a server restart. */
export interface FakeServerState {
  privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'];
  publicKeySpki: string;
  devices: Map<string, string>;
  visitors: FakeVisitorState;
}

function defaultVisitorState(): FakeVisitorState {
  return {
    buildings: [
      { id: 'b2', label: '2号楼' },
      { id: 'b3', label: '3号楼' },
    ],
    retentionDays: 30,
    units: new Map([
      ['b2/1201', { label: '2号楼 1201', residentsMasked: ['王**'] }],
      ['b3/0502', { label: '3号楼 0502', residentsMasked: ['李*', '陈**'] }],
    ]),
    watchList: new Set(),
    visits: new Map(),
    received: [],
  };
}

/**
 * A test double of the signage server's device API, at the network edge: real HTTP, real Ed25519 signatures,
 * the `@linli/content` schemas. Tests publish and unpublish content on it, and can make it misbehave (tamper,
 * drop the signature, corrupt an asset) to see the kiosk refuse. It implements only the protocol: e2e tests
 * against the real server use `npm run server` instead.
 */
export class FakeSignageServer {
  readonly url: string;
  readonly seen: SeenRequest[] = [];
  private readonly privateKey;
  readonly publicKeySpki: string;
  private readonly pairingCodes = new Set<string>();
  private readonly devices: Map<string, string>; // credential -> deviceId
  /** The visitor routes' data; tests decide visits with `decideVisit`. */
  readonly visitors: FakeVisitorState;
  private readonly items = new Map<string, ContentItem>(); // `${id}/${locale}` -> item
  private readonly assets = new Map<string, { bytes: Buffer; mime: AssetMime }>();
  private readonly streams = new Set<ServerResponse>();
  /** Every asset request: its hash and its Range header (null when it asked for the whole file). */
  readonly assetRequests: { sha256: string; range: string | null }[] = [];
  /** Every bundle request: the hashes it asked for. */
  readonly bundleRequests: string[][] = [];
  /** Misbehaviour switches. */
  readonly faults = {
    /** Answer the manifest without the signature header. */
    unsigned: false,
    /** Change one byte of the manifest body after signing. */
    tamper: false,
    /** Sign with a key the kiosk never pinned. */
    foreignKey: false,
    /** Serve wrong bytes for these assets, counting down per request. */
    corruptAsset: new Map<string, number>(),
    /** Answer 500 to every asset request. */
    assetsDown: false,
    /** Answer bundle requests 404, as a server from before bundles does. */
    noBundles: false,
    /** Put a frame nobody asked for first in every bundle. */
    strayFrame: false,
    /** Send bundles chunked, without their length (as a re-framing proxy would). */
    unframedBundles: false,
    /** Send half of these assets' bodies, then cut the connection, counting down per request. */
    cutAsset: new Map<string, number>(),
    /** Answer 503 to every visitor route. */
    visitorsDown: false,
    /** Apply this many registrations, then cut the connection before answering (the answer is lost). */
    dropRegistrationAnswers: 0,
    /** Refuse every registration as malformed (422). */
    refuseRegistrations: false,
  };

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    port: number,
    state?: FakeServerState,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    if (state) {
      this.privateKey = state.privateKey;
      this.publicKeySpki = state.publicKeySpki;
    } else {
      const pair = generateKeyPairSync('ed25519');
      this.privateKey = pair.privateKey;
      this.publicKeySpki = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    }
    this.devices = state?.devices ?? new Map();
    this.visitors = state?.visitors ?? defaultVisitorState();
  }

  /**
   * Starts the fake on a free (or the given) port of 127.0.0.1. With `state` (another fake's `state()`), it
   * continues where that one stopped: a server restart.
   */
  static async start(port = 0, state?: FakeServerState): Promise<FakeSignageServer> {
    let instance: FakeSignageServer | null = null;
    const server = createServer((req, res) => instance!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    instance = new FakeSignageServer(server, (server.address() as AddressInfo).port, state);
    return instance;
  }

  /** What a restarted fake needs to continue (keys, enrolled devices, visits). */
  state(): FakeServerState {
    return {
      privateKey: this.privateKey,
      publicKeySpki: this.publicKeySpki,
      devices: this.devices,
      visitors: this.visitors,
    };
  }

  /** The resident (or clerk) decides a visit: approval issues a pass to the gate and the visited building. */
  decideVisit(
    clientRef: string,
    decision: 'approved' | 'declined' | 'see-guard',
    validForMs = 4 * 3_600_000,
  ): void {
    const visit = this.visitors.visits.get(clientRef);
    if (!visit) throw new Error(`the fake has no visit ${clientRef}`);
    visit.status = decision;
    if (decision !== 'approved') return;
    const building = this.visitors.buildings.find((b) => b.id === visit.registration.visit.buildingId);
    const nbf = Math.floor(Date.now() / 1000);
    const payload = {
      v: 1 as const,
      p: `pass-${visit.visitId}`,
      c: 'community-1',
      d: ['gate', visit.registration.visit.buildingId],
      nbf,
      exp: nbf + Math.floor(validForMs / 1000),
    };
    const { payloadPart, signingBytes } = encodePassPayload(payload);
    const token = assemblePassToken(payloadPart, sign(null, signingBytes, this.privateKey));
    visit.pass = {
      passId: payload.p,
      token,
      doors: ['大门', building?.label ?? visit.registration.visit.buildingId],
      validFrom: new Date(nbf * 1000).toISOString(),
      validTo: new Date(payload.exp * 1000).toISOString(),
    };
  }

  /** The one visit of the newest registration (tests that drive one visitor). */
  latestVisit(): FakeVisit | null {
    return [...this.visitors.visits.values()].at(-1) ?? null;
  }

  /** A fresh single-use pairing code. */
  createPairingCode(): string {
    const bytes = randomBytes(8);
    const code = [...bytes].map((b) => PAIRING_CODE_ALPHABET[b % PAIRING_CODE_ALPHABET.length]).join('');
    this.pairingCodes.add(code);
    return code;
  }

  /** Stores an asset and returns its reference. */
  addAsset(bytes: Buffer, mime: AssetMime = 'image/png'): AssetRef {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.assets.set(sha256, { bytes, mime });
    return { sha256, size: bytes.length, mime };
  }

  /** Publishes (or replaces) items and tells connected kiosks. */
  publish(...inputs: FakeItemInput[]): void {
    for (const input of inputs) {
      const item = ContentItem.parse(input);
      this.items.set(`${item.id}/${item.locale}`, item);
    }
    this.notify();
  }

  /** Unpublishes every language version of an item. */
  unpublish(id: string): void {
    for (const key of [...this.items.keys()]) if (key.startsWith(`${id}/`)) this.items.delete(key);
    this.notify();
  }

  /** The version the next manifest will have. */
  manifestVersion(): string {
    const hash = createHash('sha256');
    for (const key of [...this.items.keys()].sort()) hash.update(JSON.stringify(this.items.get(key)));
    return hash.digest('hex').slice(0, 16);
  }

  /** Sends `manifest-changed` to every open events stream. */
  notify(): void {
    const frame = `event: manifest-changed\ndata: ${JSON.stringify({ version: this.manifestVersion() })}\n\n`;
    for (const stream of this.streams) stream.write(frame);
  }

  /** Number of open events streams. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Closes every open events stream (as a server restart would). */
  dropStreams(): void {
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
  }

  async stop(): Promise<void> {
    this.dropStreams();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private manifestFor(deviceId: string): ManifestV1 {
    const items = [...this.items.values()];
    const used = new Set(items.flatMap((item) => item.images.map((image) => image.sha256)));
    const assets = [...used].map((sha256) => {
      const asset = this.assets.get(sha256);
      if (!asset) throw new Error(`the fake has no asset ${sha256}`);
      return { sha256, size: asset.bytes.length, mime: asset.mime };
    });
    return ManifestV1.parse({
      schema: 'linli.manifest.v1',
      deviceId,
      version: this.manifestVersion(),
      generatedAt: new Date().toISOString(),
      items,
      assets,
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const authorization = req.headers.authorization ?? null;
    this.seen.push({
      method: req.method ?? '',
      path,
      ifNoneMatch: (req.headers['if-none-match'] as string | undefined) ?? null,
      authorization,
    });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const apiError = (status: number, kind: string, message: string) =>
      json(status, { error: { kind, message } });

    if (req.method === 'POST' && path === apiPaths.enroll) {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          // parsed below as null
        }
        const request = EnrollRequestV1.safeParse(body);
        if (!request.success)
          return apiError(400, 'invalid-body', request.error.issues[0]?.message ?? 'bad body');
        if (!this.pairingCodes.delete(request.data.pairingCode)) {
          return apiError(403, 'pairing-code-invalid', 'pairing code unknown, used or expired');
        }
        const credential = randomBytes(32).toString('base64url');
        const deviceId = `dev-${randomBytes(4).toString('hex')}`;
        this.devices.set(credential, deviceId);
        json(201, { deviceId, credential, serverPublicKey: this.publicKeySpki, communityId: null });
      });
      return;
    }

    const deviceId = authorization?.startsWith('Bearer ')
      ? this.devices.get(authorization.slice(7))
      : undefined;
    if (!deviceId) return apiError(401, 'unauthorized', 'unknown credential');

    if (path.startsWith(`${apiPaths.visitorBuildings.replace(/\/buildings$/, '')}/`)) {
      return void this.handleVisitors(req, res, path, json, apiError);
    }

    if (req.method === 'GET' && path === apiPaths.manifest) {
      const manifest = this.manifestFor(deviceId);
      const etag = `"${manifest.version}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        return void res.end();
      }
      const body = Buffer.from(JSON.stringify(manifest));
      const key = this.faults.foreignKey ? generateKeyPairSync('ed25519').privateKey : this.privateKey;
      const signature = sign(null, body, key).toString('base64');
      if (this.faults.tamper) {
        const at = body.indexOf('"version"') + 1;
        body[at] = body[at]! ^ 0x01;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', etag };
      if (!this.faults.unsigned) headers[MANIFEST_SIGNATURE_HEADER] = signature;
      res.writeHead(200, headers);
      return void res.end(body);
    }

    if (req.method === 'GET' && path === apiPaths.events) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(`event: hello\ndata: ${JSON.stringify({ version: this.manifestVersion() })}\n\n`);
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      return;
    }

    if (req.method === 'POST' && path === apiPaths.assetBundle)
      return void this.handleBundle(req, res, apiError);

    const asset = /^\/api\/v1\/assets\/([0-9a-f]{64})$/.exec(path);
    if (req.method === 'GET' && asset?.[1]) {
      if (this.faults.assetsDown) return apiError(500, 'internal', 'assets are down');
      const stored = this.assets.get(asset[1]);
      if (!stored) return apiError(404, 'not-found', 'no such asset');
      let bytes = this.servedBytes(asset[1], stored.bytes);
      const range = req.headers.range ?? null;
      this.assetRequests.push({ sha256: asset[1], range });
      // resumption as the real server does it: one open-ended range, guarded by If-Range
      const from = /^bytes=(\d+)-$/.exec(range ?? '')?.[1];
      const ifRange = req.headers['if-range'];
      let status = 200;
      const headers: Record<string, string> = { 'content-type': stored.mime, 'accept-ranges': 'bytes' };
      if (from !== undefined && (!ifRange || ifRange === `"${asset[1]}"`)) {
        const start = Number(from);
        if (start >= bytes.length) {
          res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
          return void res.end();
        }
        headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
        bytes = bytes.subarray(start);
        status = 206;
      }
      headers['content-length'] = String(bytes.length);
      const cut = this.faults.cutAsset.get(asset[1]) ?? 0;
      if (cut > 0) {
        this.faults.cutAsset.set(asset[1], cut - 1);
        res.writeHead(status, headers);
        // FIN, not RST: a reset could discard bytes the kiosk has not read yet
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.end());
        return;
      }
      res.writeHead(status, headers);
      return void res.end(bytes);
    }
    apiError(404, 'not-found', `no route ${req.method} ${path}`);
  }

  /** An asset's bytes as served this time: wrong ones while `corruptAsset` counts down for it. */
  private servedBytes(sha256: string, bytes: Buffer): Buffer {
    const corrupt = this.faults.corruptAsset.get(sha256) ?? 0;
    if (corrupt === 0) return bytes;
    this.faults.corruptAsset.set(sha256, corrupt - 1);
    const wrong = Buffer.from(bytes);
    wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 0xff;
    return wrong;
  }

  /**
   * `POST /assets/bundle` as the real server answers it: the frames of the held assets in the order asked. The
   * asset faults apply to frames too; `cutAsset` ends the answer halfway through that asset's bytes.
   */
  private async handleBundle(
    req: IncomingMessage,
    res: ServerResponse,
    apiError: (status: number, kind: string, message: string) => void,
  ): Promise<void> {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString();
    if (this.faults.noBundles) return apiError(404, 'not-found', 'no such route');
    if (this.faults.assetsDown) return apiError(500, 'internal', 'assets are down');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // refused below
    }
    const request = AssetBundleRequestV1.safeParse(body);
    if (!request.success)
      return apiError(400, 'invalid-body', request.error.issues[0]?.message ?? 'bad body');
    this.bundleRequests.push(request.data.sha256);
    const frames: Buffer[] = [];
    if (this.faults.strayFrame) {
      const stray = Buffer.from('not asked for');
      frames.push(
        Buffer.from(assetBundleFrameHeader(createHash('sha256').update(stray).digest('hex'), stray.length)),
        stray,
      );
    }
    let cutAt: number | null = null;
    for (const sha256 of request.data.sha256) {
      const stored = this.assets.get(sha256);
      if (!stored) continue;
      const bytes = this.servedBytes(sha256, stored.bytes);
      frames.push(Buffer.from(assetBundleFrameHeader(sha256, bytes.length)), bytes);
      const cut = this.faults.cutAsset.get(sha256) ?? 0;
      if (cut > 0) {
        this.faults.cutAsset.set(sha256, cut - 1);
        cutAt = frames.reduce((sum, frame) => sum + frame.length, 0) - Math.ceil(bytes.length / 2);
        break;
      }
    }
    const answer = Buffer.concat(frames);
    // the real server declares the whole answer's length, also when it then has to cut it short
    res.writeHead(200, {
      'content-type': ASSET_BUNDLE_MEDIA_TYPE,
      ...(this.faults.unframedBundles ? {} : { 'content-length': String(answer.length) }),
    });
    if (cutAt === null) return void res.end(answer);
    // FIN, not RST: a reset could discard bytes the kiosk has not read yet
    res.write(answer.subarray(0, cutAt), () => res.socket?.end());
  }

  private statusOf(visit: FakeVisit): VisitStatusV1 {
    const open = visit.status === 'pending-resident' || visit.status === 'pending-clerk';
    return {
      clientRef: visit.registration.clientRef,
      visitId: visit.visitId,
      status: visit.status,
      hostMasked: visit.hostMasked,
      pass: visit.status === 'approved' ? visit.pass : null,
      pollAfterMs: open ? 300 : null,
    };
  }

  private async handleVisitors(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    json: (status: number, body: unknown) => void,
    apiError: (status: number, kind: string, message: string) => void,
  ): Promise<void> {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString();
    if (this.faults.visitorsDown) return apiError(503, 'unavailable', 'visitors are down');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // parsed below as null
    }
    const state = this.visitors;
    if (req.method === 'GET' && path === apiPaths.visitorBuildings)
      return json(200, {
        buildings: state.buildings,
        ...(state.retentionDays === null ? {} : { retentionDays: state.retentionDays }),
      });
    if (req.method === 'POST' && path === apiPaths.visitorUnitLookup) {
      const request = UnitLookupRequestV1.safeParse(body);
      if (!request.success)
        return apiError(400, 'invalid-body', request.error.issues[0]?.message ?? 'bad body');
      const unit = state.units.get(`${request.data.buildingId}/${request.data.unitNumber}`);
      return json(200, {
        found: unit !== undefined,
        unitLabel: unit?.label ?? null,
        residentsMasked: unit?.residentsMasked ?? [],
      });
    }
    if (req.method === 'POST' && path === apiPaths.visitorRegistrations) {
      const registration = VisitorRegistrationV1.safeParse(body);
      if (!registration.success)
        return apiError(400, 'invalid-body', registration.error.issues[0]?.message ?? 'bad body');
      if (this.faults.refuseRegistrations) return apiError(422, 'invalid-body', 'refused by the test');
      const { clientRef } = registration.data;
      state.received.push({ clientRef, deferred: registration.data.deferred });
      let visit = state.visits.get(clientRef);
      const replay = visit !== undefined;
      if (!visit) {
        const unit = state.units.get(
          `${registration.data.visit.buildingId}/${registration.data.visit.unitNumber}`,
        );
        const watched = state.watchList.has(registration.data.identity.documentNumber);
        visit = {
          visitId: `visit-${state.visits.size + 1}`,
          registration: registration.data,
          status:
            watched || registration.data.deferred ? 'see-guard' : unit ? 'pending-resident' : 'pending-clerk',
          hostMasked: watched ? null : (unit?.residentsMasked[0] ?? null),
          pass: null,
        };
        state.visits.set(clientRef, visit);
      }
      if (this.faults.dropRegistrationAnswers > 0) {
        this.faults.dropRegistrationAnswers -= 1;
        return void res.destroy();
      }
      res.setHeader('idempotent-replayed', String(replay));
      return json(replay ? 200 : 201, this.statusOf(visit));
    }
    const one = /^\/api\/v1\/visitors\/registrations\/([0-9a-f-]{36})$/.exec(path);
    if (req.method === 'GET' && one?.[1]) {
      const visit = state.visits.get(one[1]);
      if (!visit) return apiError(404, 'not-found', 'no such registration');
      return json(200, this.statusOf(visit));
    }
    apiError(404, 'not-found', `no route ${req.method} ${path}`);
  }
}
