import crypto from 'node:crypto';
import { apiPaths, IDEMPOTENCY_KEY_HEADER, PROVIDER_SIGNATURE_HEADER } from '@linli/content';
import { signCallback } from '../../src/lib/server/payments/payment-provider.sim';

/** The sim provider secret the payment tests give the server. */
export const TEST_PROVIDER_SECRET = 'payments-http-test-provider-secret';

/** A JSON answer as tests read it; each test parses or matches what it asserts on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test answers are checked by schema or toMatchObject
type JsonBody = Record<string, any>;

/** A device-API caller with a credential, for the payment endpoints. */
export class DeviceClient {
  constructor(
    private readonly url: () => string,
    private readonly credential: string,
  ) {}

  async post(path: string, body: unknown, key?: string) {
    const response = await fetch(`${this.url()}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.credential}`,
        ...(key ? { [IDEMPOTENCY_KEY_HEADER]: key } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as JsonBody,
    };
  }

  async get(path: string) {
    const response = await fetch(`${this.url()}${path}`, {
      headers: { authorization: `Bearer ${this.credential}` },
    });
    return { status: response.status, body: (await response.json()) as JsonBody };
  }

  lookup(uid: string) {
    return this.post(apiPaths.cardLookup, { uid });
  }

  pay(uid: string, billIds: string[], key: string, pin?: string) {
    return this.post(apiPaths.payBills, { uid, billIds, ...(pin ? { pin } : {}) }, key);
  }
}

/** Posts a signed (or deliberately mis-signed) provider callback. */
export async function providerCallback(
  url: string,
  notice: { orderId: string; tradeNo: string; status: 'paid' | 'failed'; amount: number; seq: number },
  signature?: string,
) {
  const raw = JSON.stringify(notice);
  const response = await fetch(`${url}${apiPaths.providerCallback('sim')}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PROVIDER_SIGNATURE_HEADER]: signature ?? signCallback(TEST_PROVIDER_SECRET, raw),
    },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as JsonBody };
}

/**
 * A station form action called the way SvelteKit's `enhance` does (`x-sveltekit-action`), so the answer is JSON:
 * `{ type: 'success' | 'failure' | 'redirect', status, data | location }`.
 */
export async function stationAction(
  url: string,
  session: string,
  pathAndAction: string,
  fields: Record<string, string>,
  key?: string,
) {
  const response = await fetch(`${url}${pathAndAction}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: url,
      cookie: session,
      'x-sveltekit-action': 'true',
      accept: 'application/json',
      ...(key ? { [IDEMPOTENCY_KEY_HEADER]: key } : {}),
    },
    body: new URLSearchParams(fields),
  });
  const json = (await response.json()) as { type: string; status?: number; location?: string; data?: string };
  return json;
}

/** A fresh idempotency key. */
export const newKey = () => crypto.randomUUID();
