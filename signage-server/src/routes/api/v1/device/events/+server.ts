import { apiRoute, methodNotAllowed } from '$lib/server/api/api-error';
import { authenticateDevice } from '$lib/server/api/device-api';
import { formatEvent } from '$lib/server/manifest/device-events';
import type { RequestHandler } from './$types';

/**
 * Server-sent events for one device: `hello` with the current manifest version, then `manifest-changed` whenever
 * it changes, and a comment every 25 s. Ends when the device is revoked or the server stops.
 */
export const GET: RequestHandler = apiRoute(({ request, locals }) => {
  const { devices, manifests, deviceEvents } = locals.services;
  const auth = authenticateDevice(request, devices);
  if (!auth.ok) return auth.response;
  const device = auth.device;
  const scope = manifests.scopeOf(device);
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | undefined;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // `retry` asks EventSource clients to reconnect after 5 s instead of the browser default of 3
      controller.enqueue(
        encoder.encode(`retry: 5000\n${formatEvent('hello', { version: manifests.scope(scope).version })}`),
      );
      unsubscribe = deviceEvents.subscribe({
        deviceId: device.id,
        scope,
        write: (chunk) => controller.enqueue(encoder.encode(chunk)),
        close: () => controller.close(),
      });
    },
    cancel() {
      unsubscribe?.();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // reverse proxies (nginx) must pass events through at once instead of buffering them
      'x-accel-buffering': 'no',
    },
  });
});

export const fallback: RequestHandler = () => methodNotAllowed('GET');
