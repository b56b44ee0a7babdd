import type { IncomingMessage } from 'node:http';

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
