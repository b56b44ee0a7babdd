import {
  ApiErrorBody,
  UnitLookupV1,
  VisitStatusV1,
  VisitorBuildingsV1,
  apiPaths,
  type UnitLookupRequestV1,
  type VisitorRegistrationV1,
} from '@linli/content';
import type { z } from 'zod';
import { fail, ok, type Result } from '../shared/result';

/**
 * Why a visitor call failed. `offline` (no answer) and `server-error` (5xx, an unusable answer) are worth
 * retrying; `unauthorized` needs a person; `refused` is a 4xx about the request itself (retrying cannot help).
 */
export type VisitorApiErrorKind = 'offline' | 'unauthorized' | 'server-error' | 'refused';

/** The visitor routes of the device API (`@linli/content` protocol v1), with the kiosk's device credential. */
export class VisitorApiClient {
  private readonly base: string;

  constructor(
    serverUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = serverUrl.replace(/\/+$/, '');
  }

  buildings(credential: string): Promise<Result<VisitorBuildingsV1, VisitorApiErrorKind>> {
    return this.call(credential, 'GET', apiPaths.visitorBuildings, VisitorBuildingsV1);
  }

  unitLookup(
    credential: string,
    request: UnitLookupRequestV1,
  ): Promise<Result<UnitLookupV1, VisitorApiErrorKind>> {
    return this.call(credential, 'POST', apiPaths.visitorUnitLookup, UnitLookupV1, request);
  }

  /** Sends a registration; the clientRef doubles as the Idempotency-Key (DESIGN.md §Kiosk ↔ server protocol). */
  register(
    credential: string,
    registration: VisitorRegistrationV1,
  ): Promise<Result<VisitStatusV1, VisitorApiErrorKind>> {
    return this.call(credential, 'POST', apiPaths.visitorRegistrations, VisitStatusV1, registration, {
      'idempotency-key': registration.clientRef,
    });
  }

  status(credential: string, clientRef: string): Promise<Result<VisitStatusV1, VisitorApiErrorKind>> {
    return this.call(credential, 'GET', apiPaths.visitorRegistration(clientRef), VisitStatusV1);
  }

  private async call<T extends z.ZodType>(
    credential: string,
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Result<z.output<T>, VisitorApiErrorKind>> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${credential}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      return fail(
        'offline',
        `cannot reach the server: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): the status decides below
    }
    if (res.status >= 200 && res.status < 300) {
      const parsed = schema.safeParse(json);
      if (!parsed.success) return fail('server-error', `${path}: the answer does not match the protocol`);
      return ok(parsed.data);
    }
    const error = ApiErrorBody.safeParse(json);
    const detail = error.success
      ? `${error.data.error.kind}: ${error.data.error.message}`
      : text.slice(0, 200);
    if (res.status === 401 || res.status === 403) return fail('unauthorized', `${path}: ${detail}`);
    // 408 and 429 are about timing, not about the request: worth another try.
    if (res.status >= 500 || res.status === 408 || res.status === 429)
      return fail('server-error', `${path}: HTTP ${res.status} ${detail}`);
    return fail('refused', `${path}: HTTP ${res.status} ${detail}`);
  }
}
