// The simulated provider's payer side against a real HTTP listener standing in for the callback URL: the notice
// is signed and carries the stored order's amount; an unacknowledged notice is sent again until it is; settled
// orders and other providers' orders are left alone.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROVIDER_SIGNATURE_HEADER, ProviderCallbackV1 } from '@linli/content';
import { afterEach, describe, expect, it } from 'vitest';
import type { TopUpOrderRecord } from './payment.repository';
import { SimulatedPaymentProvider, signCallback } from './payment-provider.sim';
import { SimCheckout } from './sim-checkout';

const SECRET = 'sim-checkout-test-secret';
const order = (status: TopUpOrderRecord['status'], provider = 'sim'): TopUpOrderRecord => ({
  id: 'T1',
  provider,
  cardId: 'card-1',
  amount: 10_000,
  status,
  providerTradeNo: null,
  transactionId: null,
  createdAt: '2026-11-26T00:00:00.000Z',
  updatedAt: '2026-11-26T00:00:00.000Z',
});

/** A listener that answers each notice with the next status of `statuses` (then 200), keeping what it got. */
async function listener(statuses: number[]) {
  const received: { body: string; signature: string | undefined; path: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString(),
        signature: req.headers[PROVIDER_SIGNATURE_HEADER] as string | undefined,
        path: req.url,
      });
      res.writeHead(statuses.shift() ?? 200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup) await step();
  cleanup = [];
});

function checkoutFor(
  record: TopUpOrderRecord | null,
  retryDelaysMs = [20, 20, 20],
  log: (line: string) => void = () => {},
) {
  const checkout = new SimCheckout({
    provider: new SimulatedPaymentProvider(Buffer.from(SECRET)),
    getOrder: (id) => (record && id === record.id ? record : null),
    retryDelaysMs,
    log,
  });
  cleanup.push(() => checkout.close());
  return checkout;
}

describe('SimCheckout', () => {
  it("sends the provider's signed notice with the stored amount to the callback path", async () => {
    const target = await listener([]);
    cleanup.push(target.close);
    expect(await checkoutFor(order('pending')).settle('T1', 'paid', target.url)).toBe('notified');
    expect(target.received).toHaveLength(1);
    const [notice] = target.received;
    expect(notice!.path).toBe('/api/v1/payments/providers/sim/callback');
    expect(notice!.signature).toBe(signCallback(SECRET, notice!.body));
    const parsed = ProviderCallbackV1.parse(JSON.parse(notice!.body));
    expect(parsed).toMatchObject({ orderId: 'T1', status: 'paid', amount: 10_000 });
    // the same trade number for every notice of one order, never the order id itself
    expect(parsed.tradeNo).toBe(new SimulatedPaymentProvider(Buffer.from(SECRET)).tradeNo('T1'));
    expect(parsed.tradeNo).not.toContain('T1');
  });

  it('sends an unacknowledged notice again until the server takes it', async () => {
    const target = await listener([503, 500]);
    cleanup.push(target.close);
    expect(await checkoutFor(order('pending')).settle('T1', 'paid', target.url)).toBe('retrying');
    await expect.poll(() => target.received.length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.received).toHaveLength(3);
    expect(new Set(target.received.map((r) => r.body)).size).toBe(1);
  });

  it('gives up after its retries when the callback URL never answers', async () => {
    const target = await listener([]);
    await target.close();
    const lines: string[] = [];
    const checkout = checkoutFor(order('pending'), [10, 10], (line) => lines.push(line));
    expect(await checkout.settle('T1', 'failed', target.url)).toBe('retrying');
    await expect.poll(() => lines.at(-1)).toMatch(/gave up notifying .* after 3 attempts/);
    expect(lines.filter((line) => line.includes('failed'))).toHaveLength(3);
  });

  it("leaves settled orders, unknown orders and other providers' orders alone", async () => {
    const target = await listener([]);
    cleanup.push(target.close);
    expect(await checkoutFor(order('paid')).settle('T1', 'paid', target.url)).toBe('already-settled');
    expect(await checkoutFor(order('failed')).settle('T1', 'paid', target.url)).toBe('already-settled');
    expect(await checkoutFor(order('pending')).settle('T2', 'paid', target.url)).toBeNull();
    expect(await checkoutFor(order('pending', 'wechat')).settle('T1', 'paid', target.url)).toBeNull();
    expect(checkoutFor(order('pending', 'wechat')).order('T1')).toBeNull();
    expect(target.received).toHaveLength(0);
  });
});
