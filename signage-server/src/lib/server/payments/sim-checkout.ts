import { PROVIDER_SIGNATURE_HEADER, apiPaths, type ProviderCallbackV1 } from '@linli/content';
import type { TopUpOrderRecord } from './payment.repository';
import type { SimulatedPaymentProvider } from './payment-provider.sim';

/** What the checkout page shows of an order. */
export interface SimCheckoutOrder {
  orderId: string;
  amount: number;
  status: TopUpOrderRecord['status'];
}

/** What the payer's tap did: the notice was acknowledged, or it is being sent again in the background. */
export type SimCheckoutOutcome = 'notified' | 'retrying' | 'already-settled';

export interface SimCheckoutDeps {
  provider: Pick<SimulatedPaymentProvider, 'id' | 'sign' | 'tradeNo'>;
  getOrder: (orderId: string) => TopUpOrderRecord | null;
  /** Real HTTP (the global fetch), so the notice crosses the network like a provider's does. */
  fetch?: typeof fetch;
  /** Waits between delivery attempts of one notice; the count is how many times it is re-sent. */
  retryDelaysMs?: readonly number[];
  log?: (line: string) => void;
}

/** A real provider re-sends an unacknowledged notice for hours; the simulator for about a minute. */
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * The payer's side of the simulated top-up provider: what a phone that scanned the kiosk's QR code sees and does.
 * Paying (or cancelling) sends the provider's signed asynchronous notice over HTTP to this server's callback URL,
 * exactly as WeChat Pay or Alipay would, and re-sends it until it is acknowledged. The notice is built only from
 * the stored order, so the page can neither change the amount nor pay an order of another provider.
 *
 * For demos and tests only (LINLI_ONLINE_TOPUP=sim): whoever opens the page can "pay" — no money exists behind it.
 */
export class SimCheckout {
  private readonly fetch: typeof fetch;
  private readonly retryDelays: readonly number[];
  private readonly log: (line: string) => void;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: SimCheckoutDeps) {
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.retryDelays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.log = deps.log ?? ((line) => console.warn(line));
  }

  /** The order as the payer sees it, or null when it is not one of this provider's. */
  order(orderId: string): SimCheckoutOrder | null {
    const order = this.deps.getOrder(orderId);
    if (!order || order.provider !== this.deps.provider.id) return null;
    return { orderId: order.id, amount: order.amount, status: order.status };
  }

  /**
   * The payer paid (`paid`) or gave up (`failed`). A settled order is left alone: the payer's second tap on a
   * stale page sends nothing. The notice goes to `siteUrl`'s callback path; the first attempt is awaited.
   */
  async settle(
    orderId: string,
    status: ProviderCallbackV1['status'],
    siteUrl: string,
  ): Promise<SimCheckoutOutcome | null> {
    const order = this.order(orderId);
    if (!order) return null;
    if (order.status !== 'pending') return 'already-settled';
    const notice: ProviderCallbackV1 = {
      orderId: order.orderId,
      tradeNo: this.deps.provider.tradeNo(order.orderId),
      status,
      amount: order.amount,
      // later notices of one order carry larger numbers, as a provider's do
      seq: Date.now(),
    };
    const url = new URL(apiPaths.providerCallback(this.deps.provider.id), siteUrl).toString();
    const body = JSON.stringify(notice);
    if (await this.deliver(url, body)) return 'notified';
    this.retry(url, body, 0);
    return 'retrying';
  }

  /** Stops the background re-sends (server shutdown, tests). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private retry(url: string, body: string, attempt: number): void {
    const delay = this.retryDelays[attempt];
    if (delay === undefined) {
      this.log(`sim provider: gave up notifying ${url} after ${attempt + 1} attempts`);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(url, body).then((acknowledged) => {
        if (!acknowledged) this.retry(url, body, attempt + 1);
      });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  /** One attempt; true when the server acknowledged the notice (any 2xx, as the providers' contracts say). */
  private async deliver(url: string, body: string): Promise<boolean> {
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [PROVIDER_SIGNATURE_HEADER]: this.deps.provider.sign(body),
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      this.log(`sim provider: notice to ${url} answered HTTP ${response.status}`);
      return false;
    } catch (error) {
      this.log(`sim provider: notice to ${url} failed: ${(error as Error).message}`);
      return false;
    }
  }
}
