/** Version prefix of the kiosk<->server protocol. */
export const API_V1 = '/api/v1';

/** Every path of the device API, written once. */
export const apiPaths = {
  enroll: `${API_V1}/device/enroll`,
  manifest: `${API_V1}/device/manifest`,
  events: `${API_V1}/device/events`,
  asset: (sha256: string) => `${API_V1}/assets/${sha256}`,
  assetBundle: `${API_V1}/assets/bundle`,
  openapi: `${API_V1}/openapi.json`,
  cardLookup: `${API_V1}/payments/card`,
  payBills: `${API_V1}/payments/pay`,
  statement: `${API_V1}/payments/statement`,
  reportLost: `${API_V1}/payments/report-lost`,
  topUpOrders: `${API_V1}/payments/topup-orders`,
  topUpOrder: (orderId: string) => `${API_V1}/payments/topup-orders/${orderId}`,
  providerCallback: (provider: string) => `${API_V1}/payments/providers/${provider}/callback`,
  receipt: (receiptId: string) => `${API_V1}/payments/receipts/${receiptId}`,
  visitorBuildings: `${API_V1}/visitors/buildings`,
  visitorUnitLookup: `${API_V1}/visitors/unit-lookup`,
  visitorRegistrations: `${API_V1}/visitors/registrations`,
  visitorRegistration: (clientRef: string) => `${API_V1}/visitors/registrations/${clientRef}`,
  accessVerify: `${API_V1}/access/verify`,
  accessPublicKey: `${API_V1}/access/public-key`,
  health: '/healthz',
} as const;

/** The `/healthz` answer. */
export interface HealthBody {
  status: 'ok';
  version: string;
}
