import type { Handle, ServerInit } from '@sveltejs/kit';
import { loadConfig } from '$lib/server/config';
import { createServices, getServices, registerServices } from '$lib/server/services';

/** Runs once when the server starts: configuration, database + migrations, keys, first-start seeding. */
export const init: ServerInit = async () => {
  const services = createServices(loadConfig());
  registerServices(services);
};

export const handle: Handle = async ({ event, resolve }) => {
  event.locals.services = getServices();
  return resolve(event);
};
