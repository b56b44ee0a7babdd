import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
  ContentItem,
  EnrollRequestV1,
  MANIFEST_SIGNATURE_HEADER,
  ManifestV1,
  PAIRING_CODE_ALPHABET,
  apiPaths,
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
  private readonly devices = new Map<string, string>(); // credential -> deviceId
  private readonly items = new Map<string, ContentItem>(); // `${id}/${locale}` -> item
  private readonly assets = new Map<string, { bytes: Buffer; mime: AssetMime }>();
  private readonly streams = new Set<ServerResponse>();
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
  };

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKeySpki = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** Starts the fake on a free (or the given) port of 127.0.0.1. */
  static async start(port = 0): Promise<FakeSignageServer> {
    let instance: FakeSignageServer | null = null;
    const server = createServer((req, res) => instance!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    instance = new FakeSignageServer(server, (server.address() as AddressInfo).port);
    return instance;
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

    const asset = /^\/api\/v1\/assets\/([0-9a-f]{64})$/.exec(path);
    if (req.method === 'GET' && asset?.[1]) {
      if (this.faults.assetsDown) return apiError(500, 'internal', 'assets are down');
      const stored = this.assets.get(asset[1]);
      if (!stored) return apiError(404, 'not-found', 'no such asset');
      let bytes = stored.bytes;
      const corrupt = this.faults.corruptAsset.get(asset[1]) ?? 0;
      if (corrupt > 0) {
        this.faults.corruptAsset.set(asset[1], corrupt - 1);
        bytes = Buffer.from(bytes);
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      }
      res.writeHead(200, { 'content-type': stored.mime, 'content-length': String(bytes.length) });
      return void res.end(bytes);
    }
    apiError(404, 'not-found', `no route ${req.method} ${path}`);
  }
}
