import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import type { MediaKind, UploadResult } from './asset.schema';
import type { AssetService } from './asset.service';

/**
 * The chunks of a Node stream, for `AssetService.ingest`. When the consumer stops early (a refused file), the
 * rest of the stream is read and dropped instead of destroying it: a multipart parser waits for each file part
 * to be consumed before it parses the next part, so a destroyed part would stall the whole request.
 */
export function drainingChunks(stream: Readable): AsyncIterableIterator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    stream.pause();
    notify();
  };
  stream.on('data', onData);
  stream.once('end', () => {
    ended = true;
    notify();
  });
  stream.once('error', (error) => {
    failure = error;
    notify();
  });
  stream.pause();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0 && !ended && !failure) {
        const waiting = new Promise<void>((resolve) => (wake = resolve));
        stream.resume();
        await waiting;
      }
      const chunk = queue.shift();
      if (chunk) return { value: chunk, done: false };
      if (failure) throw failure;
      return { value: undefined, done: true };
    },
    async return() {
      stream.off('data', onData);
      queue.length = 0;
      stream.resume();
      return { value: undefined, done: true };
    },
  };
}

/**
 * The chunks of a request body. When the consumer stops early (a refused file), the rest is read and dropped
 * rather than cancelled: cancelling closes the connection under a client that is still sending, and it then
 * never reads our answer. What is dropped is bounded by the route's body limit (body-limit.ts; and the caller's
 * Content-Length check), and none of it is kept.
 */
export async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) {
      try {
        while (!(await reader.read()).done) {
          // dropped
        }
      } catch {
        // the body failed (the adapter's limit): nothing more to drain
      }
    }
  }
}

/** One file of a multipart upload and what became of it. */
export interface UploadedFile {
  name: string;
  result: UploadResult;
}

export type MultipartOutcome =
  | { ok: true; files: UploadedFile[]; tooManyFiles: boolean }
  | { ok: false; reason: 'not-multipart' | 'body-too-large' | 'malformed' };

/** Most files one form post may carry. */
export const MAX_FILES_PER_UPLOAD = 20;

/**
 * Streams every file of a `multipart/form-data` request into the asset service, one after the other as they
 * arrive; nothing is buffered beyond a parser chunk. Used by the media library's form, which therefore works the
 * same with and without JavaScript.
 */
export async function ingestMultipart(
  request: Request,
  assets: AssetService,
  meta: { userId: string; accept?: readonly MediaKind[] },
): Promise<MultipartOutcome> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType) || !request.body) {
    return { ok: false, reason: 'not-multipart' };
  }
  const accept = meta.accept ?? (['image', 'video', 'pdf'] as const);
  const outerLimit = Math.max(...accept.map((kind) => assets.limitOf(kind)));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // one byte over the largest limit: the service sees the excess and refuses, busboy drops the remainder
      limits: { files: MAX_FILES_PER_UPLOAD, fileSize: outerLimit + 1, fields: 20, fieldSize: 4096 },
    });
  } catch {
    return { ok: false, reason: 'malformed' };
  }

  const files: UploadedFile[] = [];
  let tooManyFiles = false;
  let current: Readable | null = null;
  let chain: Promise<void> = Promise.resolve();
  parser.on('file', (_field, stream, info) => {
    // an empty file input (nothing chosen) still sends a part without a name
    if (!info.filename) {
      stream.resume();
      return;
    }
    current = stream;
    const chunks = drainingChunks(stream);
    const name = info.filename.slice(0, 200);
    // files are ingested in order: the next part only arrives once this one is consumed anyway
    chain = chain.then(async () => {
      const result = await assets.ingest(chunks, { originalName: name, userId: meta.userId, accept });
      files.push({ name, result });
    });
  });
  parser.on('filesLimit', () => (tooManyFiles = true));

  const source = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  const parsed = new Promise<'done' | 'body-too-large' | 'malformed'>((resolve) => {
    parser.once('close', () => resolve('done'));
    parser.once('error', () => resolve('malformed'));
    source.once('error', (error) =>
      // the route's body limit (body-limit.ts) or the adapter's outer bound ends the body with a 413
      resolve((error as { status?: number }).status === 413 ? 'body-too-large' : 'malformed'),
    );
  });
  source.pipe(parser);
  const outcome = await parsed;
  if (outcome !== 'done') {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
    // the file being received will never end by itself: fail it, so its temp file is removed
    (current as Readable | null)?.destroy(new Error('the upload was cut off'));
    await chain.catch(() => {});
    return { ok: false, reason: outcome };
  }
  await chain;
  return { ok: true, files, tooManyFiles };
}
