import { error, fail } from '@sveltejs/kit';
import { PassMinutes } from '$lib/server/visitors/visitor.schema';
import type { Actions, PageServerLoad } from './$types';

/**
 * The resident's confirmation page, reached by the signed one-time link the notifiers send. No sign-in: the
 * token is the capability (HMAC over a random id), it works once and only until the answer deadline. Only masked
 * visitor data is shown.
 */
export const load: PageServerLoad = ({ locals, params, setHeaders }) => {
  // the page is personal to one resident and one moment: never cache it, never leak the link as a referrer to
  // another site. `same-origin`, not `no-referrer`: under `no-referrer` a browser posts the form with `Origin: null`
  // when it is sent before the page's script runs (a slow phone, no JavaScript), and the CSRF check refuses it.
  setHeaders({ 'cache-control': 'no-store', 'referrer-policy': 'same-origin' });
  const page = locals.services.visitors.confirmationPage(params.token);
  if (!page.ok) error(404, { message: 'confirmation link not found', kind: 'not-found' });
  return { confirmation: page.value };
};

export const actions: Actions = {
  answer: async ({ request, locals, params }) => {
    const form = await request.formData();
    const approve = form.get('decision') === 'approve';
    const minutes = PassMinutes.safeParse(form.get('minutes') ?? undefined);
    if (!minutes.success) return fail(400, { answer: null, error: 'invalid' as const });
    const result = locals.services.visitors.answerConfirmation(params.token, approve, minutes.data);
    if (!result.ok)
      return fail(result.error.kind === 'not-found' ? 404 : 409, { answer: null, error: result.error.kind });
    return { answer: result.value.status, error: null };
  },
};
