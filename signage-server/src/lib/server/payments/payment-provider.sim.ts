import crypto from 'node:crypto';
import { ProviderCallbackV1 } from '@linli/content';
import type { PaymentProvider, ProviderOrder } from './payment-provider';

/**
 * A local stand-in for an online payment provider, so the whole top-up flow (order → QR → asynchronous signed
 * callback → credit once) runs in tests and demos without a merchant account. It signs callbacks with HMAC-SHA256
 * under a shared secret, as the real providers do (with their own key schemes).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly id = 'sim';

  constructor(private readonly secret: Buffer) {}

  /** The QR code opens the simulator's checkout page for the order (routes/sim-pay), where a "payer" pays. */
  async createOrder(order: ProviderOrder): Promise<{ qrPayload: string }> {
    return { qrPayload: new URL(`/sim-pay/${encodeURIComponent(order.orderId)}`, order.siteUrl).toString() };
  }

  /**
   * The trade number the simulated provider gives an order: the same for every notice of one order, as a real
   * provider's is, so a payer who taps "pay" twice produces one trade, not two.
   */
  tradeNo(orderId: string): string {
    return `SIM${signCallback(this.secret, `trade:${orderId}`).slice(0, 24).toUpperCase()}`;
  }

  /** Signs a callback body (what the simulated provider sends; tests use it to play the provider). */
  sign(rawBody: string): string {
    return signCallback(this.secret, rawBody);
  }

  verifyCallback(rawBody: string, signature: string | null): ProviderCallbackV1 | null {
    if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return null;
    const expected = Buffer.from(this.sign(rawBody), 'hex');
    if (!crypto.timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return null;
    try {
      const parsed = ProviderCallbackV1.safeParse(JSON.parse(rawBody));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

/** HMAC-SHA256 (hex) of a callback body under the simulated provider's secret. */
export function signCallback(secret: Buffer | string, rawBody: string): string {
  return crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
}
