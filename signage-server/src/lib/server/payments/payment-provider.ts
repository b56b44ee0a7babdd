import type { ProviderCallbackV1 } from '@linli/content';

/** An order as a provider needs it. */
export interface ProviderOrder {
  orderId: string;
  amount: number;
  description: string;
  /**
   * This server's public base URL: a real provider is given its notify URL
   * (`<siteUrl>/api/v1/payments/providers/<id>/callback`), the simulated one hosts its checkout page here.
   */
  siteUrl: string;
}

/**
 * An online top-up provider (WeChat Pay / Alipay / UnionPay style): we create an order, show its QR code, the
 * payer pays on their phone, and the provider notifies us later with a signed callback. Callbacks may repeat and
 * arrive out of order; the payment service credits each order exactly once.
 */
export interface PaymentProvider {
  /** Short id used in paths and account names (`sim`, `wechat`…). */
  readonly id: string;
  /** Registers the order with the provider; returns what the QR code encodes. */
  createOrder(order: ProviderOrder): Promise<{ qrPayload: string }>;
  /** Verifies a callback's signature over its raw body and parses it; null when it is not authentic. */
  verifyCallback(rawBody: string, signature: string | null): ProviderCallbackV1 | null;
}
