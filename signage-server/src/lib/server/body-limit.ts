import { error } from '@sveltejs/kit';
import type { AssetLimits } from './assets/asset.service';

/**
 * The most bytes a request body may carry on every route but the uploads below: forms, JSON APIs, CSV imports.
 * adapter-node's own `BODY_SIZE_LIMIT` is only an outer bound (server.js lifts it), so that the media library can
 * take a video of its configured size while everything else stays this small.
 */
export const DEFAULT_BODY_LIMIT = 25 * 1024 * 1024;

/** Room for multipart framing and the form's own fields on top of the largest file. */
const MULTIPART_ALLOWANCE = 1024 * 1024;

/**
 * SvelteKit's 413 HttpError with `message`, as a value (only `error()`, which throws, makes one). A body stream that
 * fails with it makes a route or form action that reads the body answer 413, and it has `status` 413 like
 * adapter-node's own limit error, which route code already recognises.
 */
function payloadTooLarge(message: string): unknown {
  try {
    error(413, { message, kind: 'payload-too-large' });
  } catch (thrown) {
    return thrown;
  }
}

/**
 * The body limit of one request, by its SvelteKit route. Uploads are streamed to disk and checked per file against
 * their kind's limit by the asset service, so their outer bound is the largest such limit: one large video per
 * post, or several files that fit in it together.
 */
export function bodyLimitFor(method: string, routeId: string | null, limits: AssetLimits): number {
  if (method !== 'POST') return DEFAULT_BODY_LIMIT;
  const largest = (...kindLimits: number[]) =>
    Math.max(DEFAULT_BODY_LIMIT, ...kindLimits.map((limit) => limit + MULTIPART_ALLOWANCE));
  switch (routeId) {
    case '/cms/media':
      return largest(limits.maxImageBytes, limits.maxVideoBytes, limits.maxPdfBytes);
    case '/cms/assets':
      return largest(limits.maxImageBytes);
    default:
      return DEFAULT_BODY_LIMIT;
  }
}

/**
 * Bounds a request's body to `limit` bytes. The refusal is left to whoever reads the body, so that every route
 * answers it in its own form (a device API route with its JSON error, a form action with its page, an upload with
 * its own, more precise limit checked first): the returned request's body fails with a 413 (`message`) on its
 * first read when the declared Content-Length is over the limit — no byte of it is read — and, without a declared
 * length (chunked), as soon as it passes the limit, so nothing downstream ever holds more than that.
 * `message` may be a function: it runs only when a refusal is made, so that the translation of a message almost
 * no request needs is not paid by every request that has a body.
 */
export function limitRequestBody(
  request: Request,
  limit: number,
  message: string | ((limit: number) => string),
): Request {
  if (!request.body) return request;
  const declared = request.headers.get('content-length');
  // the adapter refuses a body longer than it declared, so a declaration within the limit is a bound already
  if (declared !== null && Number(declared) <= limit) return request;
  const overDeclared = declared !== null;
  const reader = request.body.getReader();
  let seen = 0;
  const bounded = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = overDeclared ? undefined : await reader.read();
      if (next?.done) {
        controller.close();
        return;
      }
      seen += next?.value.byteLength ?? 0;
      if (overDeclared || seen > limit) {
        // the source is left unread rather than cancelled (which would destroy the socket before our 413 is
        // written); server.js drains or closes a connection whose request body was not read to its end
        reader.releaseLock();
        controller.error(payloadTooLarge(typeof message === 'string' ? message : message(limit)));
        return;
      }
      controller.enqueue(next!.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Request(request, { body: bounded, duplex: 'half' } as RequestInit);
}
