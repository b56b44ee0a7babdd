// The server's Node entry (`npm run server`). It wraps SvelteKit's adapter-node handler in a plain http server so
// that the hottest device calls (a kiosk polling an unchanged manifest: 304) are answered by the device service
// directly, without SvelteKit's per-request overhead; everything else goes through SvelteKit.
import http from 'node:http';

// adapter-node has one body limit for every route, which would cap a media-library video at whatever forms get.
// Body limits are per route instead (src/lib/server/body-limit.ts, applied in hooks.server.ts: 25 MB, and the
// configured per-kind upload limits for the media upload), so the adapter's own bound is lifted unless an operator
// sets one as an outer bound for everything.
process.env.BODY_SIZE_LIMIT ??= 'Infinity';

// SvelteKit compares a form post's Origin with the request URL to stop CSRF, and adapter-node assumes https
// unless told otherwise, so plain-http deployments (the demo, a LAN) would refuse every form. Unless the operator
// configured adapter-node (ORIGIN, or PROTOCOL_HEADER behind a TLS proxy), take the protocol from the socket
// itself through a private header that we overwrite on every request, so a client cannot choose it.
const socketProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (socketProtocol) process.env.PROTOCOL_HEADER = 'x-linli-socket-protocol';

// Importing the handler runs the server's `init` hook: config, database, migrations, keys, seeding.
// (The specifier is a variable so the type checker does not descend into the generated bundle.)
const handlerModule = './build/handler.js';
/** @type {{ handler: (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void }} */
const { handler } = await import(handlerModule);

/** @type {import('./src/lib/server/services').Services} */
const services = /** @type {any} */ (globalThis)[Symbol.for('linli.services')];
const { port, host } = services.config;

const server = http.createServer((req, res) => {
  if (services.fastPath?.(req, res)) return;
  keepConnectionUsable(req, res);
  if (socketProtocol) {
    req.headers['x-linli-socket-protocol'] = /** @type {any} */ (req.socket).encrypted ? 'https' : 'http';
  }
  handler(req, res);
});
server.keepAliveTimeout = 65_000;

/** A body an answer left unread is drained up to this size (the connection stays usable); beyond, it is closed. */
const DRAIN_LIMIT = 8 * 1024 * 1024;

/**
 * An answer that starts before its request's body was read (a refusal: too large, not signed in, cross-site) must
 * not leave the rest of that body paused in the socket: the next request the client sends on that keep-alive
 * connection would hang behind it. A small declared rest is read and dropped after the answer, keeping the
 * connection; a large or undeclared (chunked) one is not worth reading, so the answer says `connection: close`.
 */
function keepConnectionUsable(
  /** @type {http.IncomingMessage} */ req,
  /** @type {http.ServerResponse} */ res,
) {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && !(declared > 0)) return;
  const writeHead = res.writeHead;
  res.writeHead = /** @type {typeof res.writeHead} */ (
    function (/** @type {any[]} */ ...args) {
      if (!req.complete) {
        if (chunked || declared > DRAIN_LIMIT) res.setHeader('connection', 'close');
        else
          res.once('finish', () => {
            // whoever was reading (SvelteKit's body stream) is done with this request: drop the rest
            req.removeAllListeners('data');
            req.resume();
          });
      }
      return writeHead.apply(res, /** @type {any} */ (args));
    }
  );
}

server.listen(port, host, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`Linli server ${services.version} listening on http://${host}:${address.port}`);
});

let stopping = false;
/** Stops accepting connections, lets in-flight requests finish, then closes the database. */
function shutdown(/** @type {string} */ signal) {
  if (stopping) return;
  stopping = true;
  console.log(`Linli server stopping (${signal})`);
  // SSE streams never end by themselves: end them so close() can finish
  /** @type {NodeJS.EventEmitter} */ (process).emit('sveltekit:shutdown', signal);
  server.close(async () => {
    // the payments writer thread finishes (and commits) every payment it was handed before the database closes
    await services.payments.closeWriter();
    await services.walCheckpointer?.close();
    services.db.close();
    process.exit(0);
  });
  server.closeIdleConnections();
  // connections that carried an SSE stream become idle only once that stream has ended: close them too
  setTimeout(() => server.closeIdleConnections(), 200).unref();
  setTimeout(() => {
    server.closeAllConnections();
  }, 3_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
