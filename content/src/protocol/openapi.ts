import { z } from 'zod';
import { EnrollRequestV1, EnrollResponseV1, ManifestChangedEventV1 } from './device.schema';
import { ApiErrorBody } from './error.schema';
import { ManifestV1, MANIFEST_SIGNATURE_HEADER } from './manifest.schema';
import { apiPaths } from './paths';

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'output' });
const inputSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });
const json = (ref: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const errors = {
  '400': {
    description: 'Malformed request; `error.field` names the field at fault',
    ...json('ApiErrorBody'),
  },
  '401': { description: 'Unknown or revoked device credential', ...json('ApiErrorBody') },
};

/** The OpenAPI 3.0 document of /api/v1, generated from the same zod schemas both sides parse with. */
export function buildOpenApiDocument(serverVersion: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Linli device API', version: `v1 (server ${serverVersion})` },
    components: {
      securitySchemes: {
        device: { type: 'http', scheme: 'bearer', description: 'Device credential from enrolment' },
      },
      schemas: {
        EnrollRequestV1: inputSchema(EnrollRequestV1),
        EnrollResponseV1: schema(EnrollResponseV1),
        ManifestV1: schema(ManifestV1),
        ManifestChangedEventV1: schema(ManifestChangedEventV1),
        ApiErrorBody: schema(ApiErrorBody),
      },
    },
    paths: {
      [apiPaths.enroll]: {
        post: {
          summary: 'Exchange a single-use pairing code for a device credential',
          requestBody: { required: true, ...json('EnrollRequestV1') },
          responses: {
            '201': { description: 'Enrolled', ...json('EnrollResponseV1') },
            '400': errors['400'],
            '403': { description: 'Pairing code unknown, used or expired', ...json('ApiErrorBody') },
          },
        },
      },
      [apiPaths.manifest]: {
        get: {
          summary: 'The resolved content of the calling device',
          security: [{ device: [] }],
          parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: {
            '200': {
              description: `Manifest; the body bytes are signed (header ${MANIFEST_SIGNATURE_HEADER})`,
              headers: {
                ETag: { schema: { type: 'string' } },
                [MANIFEST_SIGNATURE_HEADER]: { schema: { type: 'string' }, description: 'base64 Ed25519' },
              },
              ...json('ManifestV1'),
            },
            '304': { description: 'Unchanged since the ETag sent' },
            '401': errors['401'],
          },
        },
      },
      [apiPaths.events]: {
        get: {
          summary: 'Server-sent events: hello, manifest-changed (data: ManifestChangedEventV1)',
          security: [{ device: [] }],
          responses: { '200': { description: 'text/event-stream' }, '401': errors['401'] },
        },
      },
      [`${apiPaths.asset('{sha256}')}`]: {
        get: {
          summary: 'An immutable asset by the sha256 of its bytes (Range supported)',
          security: [{ device: [] }],
          parameters: [{ name: 'sha256', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The bytes' },
            '206': { description: 'A range of the bytes' },
            '401': errors['401'],
            '404': { description: 'No such asset', ...json('ApiErrorBody') },
            '416': { description: 'Range not satisfiable', ...json('ApiErrorBody') },
          },
        },
      },
      [apiPaths.health]: {
        get: { summary: 'Liveness', responses: { '200': { description: '{status, version}' } } },
      },
    },
  };
}
