import { error, fail } from '@sveltejs/kit';
import type { SimCheckout } from '$lib/server/payments/sim-checkout';
import type { Actions, PageServerLoad } from './$types';

/**
 * The simulated provider's checkout, the page the kiosk's top-up QR code opens on the payer's phone. It exists
 * only with LINLI_ONLINE_TOPUP=sim (demos and tests); otherwise there is no such page. No sign-in: the order id
 * is what the QR carries, as with a real provider's payment link.
 */
function checkoutOf(services: { simCheckout: SimCheckout | null }): SimCheckout {
  if (!services.simCheckout) error(404, { message: 'not found', kind: 'not-found' });
  return services.simCheckout;
}

export const load: PageServerLoad = ({ locals, params, setHeaders }) => {
  // as the resident's confirmation page (routes/v): never cached, no referrer to other sites, and a form posted
  // before the script runs still carries its Origin
  setHeaders({ 'cache-control': 'no-store', 'referrer-policy': 'same-origin' });
  const order = checkoutOf(locals.services).order(params.orderId);
  if (!order) error(404, { message: 'order not found', kind: 'not-found' });
  return { order };
};

async function settle(locals: App.Locals, orderId: string, origin: string, status: 'paid' | 'failed') {
  const checkout = checkoutOf(locals.services);
  const outcome = await checkout.settle(orderId, status, locals.services.config.publicUrl ?? origin);
  if (!outcome) return fail(404, { outcome: null, status });
  return { outcome, status };
}

export const actions: Actions = {
  pay: ({ locals, params, url }) => settle(locals, params.orderId, url.origin, 'paid'),
  cancel: ({ locals, params, url }) => settle(locals, params.orderId, url.origin, 'failed'),
};
