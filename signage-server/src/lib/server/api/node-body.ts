import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { apiErrorBody, invalidBodyOf } from './api-error';

/**
 * The body of a request the Node fast paths answer (outside SvelteKit), up to `maxBytes`. Null when it was longer
 * (`onTooLarge` has answered; the request is destroyed) or the client went away before its end.
 */
export function readNodeBody(
  req: IncomingMessage,
  maxBytes: number,
  onTooLarge: () => void,
): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolve, reject) => {
    // events, not `for await`: the async iterator costs a promise and a generator step per chunk
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        onTooLarge();
        req.destroy();
        resolve(null);
        return;
      }
      if (first === null) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks ? Buffer.concat(chunks) : (first ?? Buffer.alloc(0))));
    req.once('error', reject);
    // a client gone before the end of its body: nobody is left to answer (after 'end' this changes nothing)
    req.once('close', () => resolve(null));
  });
}

/** A JSON body checked with `schema`, or the 400 `invalid-body` answer the SvelteKit routes give for it. */
export function parseNodeJson<S extends z.ZodType>(
  body: Buffer,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; error: ReturnType<typeof apiErrorBody> } {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: apiErrorBody('invalid-body', 'the body is not valid JSON', { field: '' }) };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: invalidBodyOf(parsed.error) };
}
