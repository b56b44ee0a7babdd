import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  apiPaths,
  fieldIssues,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  PayBillsRequestV1,
} from '@linli/content';
import type { DeviceService } from '../devices/device.service';
import type { PaymentService } from '../payments/payment.service';
import { API_ERROR_STATUS, API_JSON_HEADERS, apiErrorBody, MAX_JSON_BODY_BYTES } from './api-error';
import { UNAUTHORIZED_MESSAGE } from './device-api';
import { paymentErrorBody } from './payments-api';

/**
 * The Node-level fast path for `POST /api/v1/payments/pay` (server.js calls it before SvelteKit): the hottest
 * money call, answered with the same rules and error shapes as the SvelteKit route (`routes/api/v1/payments/pay`),
 * which stays for runs without server.js. SvelteKit's per-request work costs more CPU than the payment itself.
 */
export function createPaymentsFastPath(devices: DeviceService, payments: PaymentService) {
  // Node writes a flat [name, value, ...] header list as is; an object would be copied and validated per answer
  const jsonHeaders = Object.entries(API_JSON_HEADERS).flat();
  const unauthorizedHeaders = [...jsonHeaders, 'www-authenticate', 'Bearer'];
  const replayedHeaders = [...jsonHeaders, 'idempotent-replayed', 'true'];
  const send = (res: ServerResponse, status: number, body: unknown, headers: string[] = jsonHeaders) => {
    const text = JSON.stringify(body);
    res.writeHead(status, [...headers, 'content-length', String(Buffer.byteLength(text))]).end(text);
  };

  /** The body, or null when it passed MAX_JSON_BODY_BYTES (the 413 has been sent) or the client went away. */
  const readBody = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<Buffer | null>((resolve, reject) => {
      // events, not `for await`: the async iterator costs a promise and a generator step per chunk
      let first: Buffer | null = null;
      let chunks: Buffer[] | null = null;
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JSON_BODY_BYTES) {
          req.off('data', onData);
          send(
            res,
            413,
            apiErrorBody('payload-too-large', `the body may have at most ${MAX_JSON_BODY_BYTES} bytes`),
          );
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const device = devices.authenticate(req.headers.authorization);
    if (!device) {
      send(res, 401, apiErrorBody('unauthorized', UNAUTHORIZED_MESSAGE), unauthorizedHeaders);
      req.resume();
      return;
    }
    devices.touch(device);
    const key = IdempotencyKey.safeParse(req.headers[IDEMPOTENCY_KEY_HEADER]);
    if (!key.success) {
      send(
        res,
        400,
        apiErrorBody(
          'invalid-body',
          'money-moving requests need an Idempotency-Key header (8-128 characters)',
          {
            field: 'Idempotency-Key',
          },
        ),
      );
      req.resume();
      return;
    }
    const body = await readBody(req, res);
    if (body === null) return;
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      send(res, 400, apiErrorBody('invalid-body', 'the body is not valid JSON', { field: '' }));
      return;
    }
    const parsed = PayBillsRequestV1.safeParse(raw);
    if (!parsed.success) {
      const issues = fieldIssues(parsed.error);
      send(
        res,
        400,
        apiErrorBody(
          'invalid-body',
          `invalid request body: ${issues[0]?.path || '(root)'} ${issues[0]?.message ?? ''}`.trim(),
          {
            field: issues[0]?.path ?? '',
            issues,
          },
        ),
      );
      return;
    }
    const result = await payments.payBills(parsed.data, { scope: `device:${device.id}`, key: key.data });
    const headers = result.replayed ? replayedHeaders : jsonHeaders;
    if (result.ok) send(res, 200, result.value, headers);
    else {
      const failure = paymentErrorBody(result.error);
      send(res, API_ERROR_STATUS[failure.error.kind], failure, headers);
    }
  }

  return function paymentsFastPath(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || req.url !== apiPaths.payBills) return false;
    handle(req, res).catch((error: unknown) => {
      // outside SvelteKit nothing else would catch this: answer like any other API error instead of crashing
      console.error('payments fast path failed', error);
      if (!res.headersSent) send(res, 500, apiErrorBody('internal', 'internal error'));
      else res.end();
    });
    return true;
  };
}
