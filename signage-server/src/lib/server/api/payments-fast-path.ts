import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiPaths, IDEMPOTENCY_KEY_HEADER, IdempotencyKey, PayBillsRequestV1 } from '@linli/content';
import type { DeviceService } from '../devices/device.service';
import type { PaymentService } from '../payments/payment.service';
import {
  API_ERROR_STATUS,
  API_JSON_HEADERS,
  apiErrorBody,
  MAX_JSON_BODY_BYTES,
  parseJsonText,
} from './api-error';
import { UNAUTHORIZED_MESSAGE } from './device-api';
import { readNodeBody } from './node-body';
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
    const body = await readNodeBody(req, MAX_JSON_BODY_BYTES, () =>
      send(
        res,
        413,
        apiErrorBody('payload-too-large', `the body may have at most ${MAX_JSON_BODY_BYTES} bytes`),
      ),
    );
    if (body === null) return;
    const parsed = parseJsonText(body.toString('utf8'), PayBillsRequestV1);
    if (!parsed.ok) {
      send(res, 400, parsed.error);
      return;
    }
    const result = await payments.payBills(parsed.value, { scope: `device:${device.id}`, key: key.data });
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
