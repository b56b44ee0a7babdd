import type { z } from 'zod';
import { fail, resultSchema, type Result } from './result';

/**
 * A service that crosses a process boundary, written once: method names with zod schemas for arguments and
 * results, and event names with the schema of their data. Both transports (Electron IPC, loopback WebSocket) and
 * both ends of each are generated from it, as VS Code builds channels from one service interface
 * (`ProxyChannel.fromService` / `toService`), so a name or a shape can never drift between the ends.
 */
export interface ServiceDefinition {
  name: string;
  methods: Record<string, { args: z.ZodTuple; result: z.ZodType }>;
  events: Record<string, z.ZodType>;
}

/** Checks a definition's shape at compile time while keeping its literal types. */
export function defineService<const D extends ServiceDefinition>(definition: D): D {
  return definition;
}

type MethodsOf<D extends ServiceDefinition> = {
  [K in keyof D['methods']]: (
    ...args: z.output<D['methods'][K]['args']>
  ) => Promise<Result<z.output<D['methods'][K]['result']>>>;
};
type EventsOf<D extends ServiceDefinition> = {
  [K in keyof D['events']]: (listener: (data: z.output<D['events'][K]>) => void) => () => void;
};

/** The API a service definition describes: every method returns a Result; every event is `on…(listener)`. */
export type ServiceApi<D extends ServiceDefinition> = MethodsOf<D> & EventsOf<D>;

/** IPC channel of a method, derived from the definition (the only place channel names come from). */
export function methodChannel(definition: ServiceDefinition, method: string): string {
  return `${definition.name}:call:${method}`;
}

/** IPC channel of an event. */
export function eventChannel(definition: ServiceDefinition, event: string): string {
  return `${definition.name}:event:${event}`;
}

/** Error kinds the transports themselves produce. */
export type TransportErrorKind =
  'unknown-method' | 'invalid-arguments' | 'invalid-result' | 'disconnected' | 'internal';

/** The host end of a service: calls checked against the definition, events fanned out to one sink. */
export interface ServiceDispatcher {
  call(method: string, args: unknown): Promise<Result<unknown>>;
  /** Forwards every event of the service to `send` until the returned function is called. */
  forwardEvents(send: (event: string, data: unknown) => void): () => void;
}

/** Builds the host end of a service from its definition and an implementation of its API. */
export function createServiceDispatcher<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceApi<D>,
): ServiceDispatcher {
  const methods = implementation as unknown as Record<
    string,
    (...args: unknown[]) => Promise<Result<unknown>>
  >;
  const events = implementation as unknown as Record<
    string,
    (listener: (data: unknown) => void) => () => void
  >;
  return {
    async call(method, args) {
      const spec = Object.hasOwn(definition.methods, method) ? definition.methods[method] : undefined;
      if (!spec) return fail('unknown-method', `no method ${definition.name}.${method}`);
      const parsed = spec.args.safeParse(args);
      if (!parsed.success) {
        return fail(
          'invalid-arguments',
          `${definition.name}.${method}: ${parsed.error.issues[0]?.message ?? ''}`,
        );
      }
      try {
        return await methods[method]!(...(parsed.data as unknown[]));
      } catch (error) {
        // An implementation should return failures as values; a throw is a bug, but must not kill the channel.
        return fail('internal', error instanceof Error ? error.message : String(error));
      }
    },
    forwardEvents(send) {
      const stops = Object.keys(definition.events).map((event) =>
        events[event]!((data) => send(event, data)),
      );
      return () => stops.forEach((stop) => stop());
    },
  };
}

/** What a client end needs from a transport: a way to call and a stream of events. */
export interface ClientTransport {
  invoke(method: string, args: unknown[]): Promise<unknown>;
  onEvent(listener: (event: string, data: unknown) => void): () => void;
}

/**
 * Builds the client end of a service: a plain object with one function per method and event. Results and
 * event data are parsed with the definition's schemas, because the other end is another process.
 */
export function createServiceProxy<D extends ServiceDefinition>(
  definition: D,
  transport: ClientTransport,
): ServiceApi<D> {
  const api: Record<string, unknown> = {};
  for (const [method, spec] of Object.entries(definition.methods)) {
    const schema = resultSchema(spec.result);
    api[method] = async (...args: unknown[]): Promise<Result<unknown>> => {
      let raw: unknown;
      try {
        raw = await transport.invoke(method, args);
      } catch (error) {
        return fail('disconnected', error instanceof Error ? error.message : String(error));
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        return fail('invalid-result', `${definition.name}.${method} answered an invalid shape`);
      return parsed.data as Result<unknown>;
    };
  }
  for (const [event, schema] of Object.entries(definition.events)) {
    api[event] = (listener: (data: unknown) => void) =>
      transport.onEvent((name, data) => {
        if (name !== event) return;
        const parsed = schema.safeParse(data);
        if (parsed.success) listener(parsed.data);
      });
  }
  return api as ServiceApi<D>;
}
