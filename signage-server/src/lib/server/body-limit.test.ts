import { describe, expect, it } from 'vitest';
import { bodyLimitFor, DEFAULT_BODY_LIMIT, limitRequestBody } from './body-limit';

const MB = 1024 * 1024;
const limits = { maxImageBytes: 10 * MB, maxVideoBytes: 500 * MB, maxPdfBytes: 50 * MB };

/** A POST whose body arrives in `chunks` pieces of `size` bytes, without a declared length (chunked). */
const chunked = (chunks: number, size: number) => {
  let sent = 0;
  return new Request('http://linli.test/login', {
    method: 'POST',
    duplex: 'half',
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === chunks) controller.close();
        else controller.enqueue(new Uint8Array(size));
      },
    }),
  } as RequestInit);
};

describe('body limits', () => {
  it.each([
    ['POST', '/cms/media', 500 * MB + MB],
    ['POST', '/cms/assets', DEFAULT_BODY_LIMIT],
    ['POST', '/login', DEFAULT_BODY_LIMIT],
    ['POST', '/api/v1/device/stats', DEFAULT_BODY_LIMIT],
    ['PUT', '/cms/media', DEFAULT_BODY_LIMIT],
    ['POST', null, DEFAULT_BODY_LIMIT],
  ])('%s %s may carry %i bytes', (method, route, expected) => {
    expect(bodyLimitFor(method, route, limits)).toBe(expected);
  });

  it('gives the editor image upload its configured limit when that is above the forms limit', () => {
    expect(bodyLimitFor('POST', '/cms/assets', { ...limits, maxImageBytes: 40 * MB })).toBe(41 * MB);
  });

  it('fails a body declared over the limit on its first read, reading none of it; passes one within untouched', async () => {
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    });
    const declared = (length: number, body: BodyInit = 'x') =>
      new Request('http://linli.test/x', {
        method: 'POST',
        body,
        headers: { 'content-length': String(length) },
        duplex: 'half',
      } as RequestInit);
    const over = limitRequestBody(declared(101, source), 100, 'too large');
    await expect(over.text()).rejects.toMatchObject({
      status: 413,
      body: { message: 'too large', kind: 'payload-too-large' },
    });
    // a ReadableStream pulls once to fill its queue when it is made; the limit reads nothing more
    expect(pulled).toBeLessThanOrEqual(1);
    const within = declared(100);
    expect(limitRequestBody(within, 100, 'too large')).toBe(within);
  });

  it('lets a chunked body within the limit through whole', async () => {
    const bounded = limitRequestBody(chunked(4, 25), 100, 'too large');
    expect((await bounded.arrayBuffer()).byteLength).toBe(100);
  });

  it('fails a chunked body with a 413 as soon as it passes the limit', async () => {
    const bounded = limitRequestBody(chunked(1000, 25), 100, 'too large');
    await expect(bounded.text()).rejects.toMatchObject({
      status: 413,
      body: { message: 'too large', kind: 'payload-too-large' },
    });
  });
});
