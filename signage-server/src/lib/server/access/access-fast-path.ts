import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessVerifyRequestV1, apiPaths, fieldIssues } from '@linli/content';
import { API_JSON_HEADERS, apiErrorBody, MAX_JSON_BODY_BYTES } from '../api/api-error';
import type { AccessService } from './access.service';

/** The 401 of a door controller request without a valid door secret. */
export const DOOR_UNAUTHORIZED = 'missing or unknown door secret';
/** The 403 of a controller asking about another door. */
export const DOOR_FORBIDDEN = 'this door secret belongs to another door';

/** The answer of one access request: status and JSON body (shared by the fast path and the SvelteKit route). */
export function accessAnswer(
  access: AccessService,
  authorization: string | null | undefined,
  raw: unknown,
): { status: number; body: unknown; headers?: Record<string, string> } {
  const doorId = access.authenticateDoor(authorization);
  if (!doorId) {
    return {
      status: 401,
      body: apiErrorBody('unauthorized', DOOR_UNAUTHORIZED),
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  const parsed = AccessVerifyRequestV1.safeParse(raw);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error);
    return {
      status: 400,
      body: apiErrorBody(
        'invalid-body',
        `invalid request body: ${issues[0]?.path || '(root)'} ${issues[0]?.message ?? ''}`.trim(),
        {
          field: issues[0]?.path ?? '',
          issues,
        },
      ),
    };
  }
  if (parsed.data.doorId !== doorId) return { status: 403, body: apiErrorBody('forbidden', DOOR_FORBIDDEN) };
  return { status: 200, body: access.verify(parsed.data) };
}

/**
 * The Node-level fast path for `POST /api/v1/access/verify` (server.js calls it before SvelteKit, through
 * `services.fastPath`): a door controller waits on this answer with a person in front of the door, and at rush
 * hour many do at once. Same rules and shapes as the SvelteKit route, which stays for runs without server.js.
 */
export function createAccessFastPath(access: AccessService) {
  // Node writes a flat [name, value, …] header list without building and validating an object per answer
  const jsonHeaders = Object.entries(API_JSON_HEADERS).flat();
  const rawHeaders = (bytes: Buffer, headers?: Record<string, string>) => {
    const raw = [...jsonHeaders, 'content-length', String(bytes.length)];
    if (headers) for (const [name, value] of Object.entries(headers)) raw.push(name, value);
    return raw;
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, rawHeaders(bytes, headers)).end(bytes);
  };

  return function accessFastPath(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || req.url !== apiPaths.accessVerify) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BODY_BYTES && !refused) {
        refused = true;
        send(
          res,
          413,
          apiErrorBody('payload-too-large', `the body may have at most ${MAX_JSON_BODY_BYTES} bytes`),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      try {
        let raw: unknown;
        try {
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          raw = JSON.parse(bytes.toString('utf8'));
        } catch {
          send(res, 400, apiErrorBody('invalid-body', 'the body is not valid JSON', { field: '' }));
          return;
        }
        const answer = accessAnswer(access, req.headers.authorization, raw);
        send(res, answer.status, answer.body, answer.headers);
      } catch (error) {
        // outside SvelteKit nothing else would catch this: answer like any other API error instead of crashing
        console.error('access fast path failed', error);
        if (!res.headersSent) send(res, 500, apiErrorBody('internal', 'internal error'));
        else res.end();
      }
    });
    return true;
  };
}
