import { z } from 'zod';
import { ASSET_BUNDLE_MEDIA_TYPE, AssetBundleRequestV1 } from './asset-bundle.schema';
import { AlertWebhookResponseV1, AlertWebhookV1, alertPaths, DeviceAlertsV1 } from './alerts.schema';
import { EnrollRequestV1, EnrollResponseV1, ManifestChangedEventV1 } from './device.schema';
import { ApiErrorBody } from './error.schema';
import {
  CommandAckV1,
  DeviceCommandEventV1,
  fleetPaths,
  HeartbeatResponseV1,
  HeartbeatV1,
} from './fleet.schema';
import { ManifestV1, MANIFEST_SIGNATURE_HEADER } from './manifest.schema';
import { RatingRequestV1, RatingResponseV1, ratingPaths } from './ratings.schema';
import { API_V1, apiPaths } from './paths';
import { DeviceStatsBatchV1, DeviceStatsResponseV1, signagePaths } from './signage.schema';
import {
  CardLookupRequestV1,
  CardSummaryV1,
  IDEMPOTENCY_KEY_HEADER,
  PayBillsRequestV1,
  PaymentReceiptV1,
  PROVIDER_SIGNATURE_HEADER,
  ProviderCallbackV1,
  ReportLostRequestV1,
  ReportLostResponseV1,
  StatementRequestV1,
  StatementV1,
  TopUpOrderRequestV1,
  TopUpOrderV1,
} from './payments.schema';
import {
  AccessPublicKeyV1,
  AccessVerifyRequestV1,
  AccessVerifyResponseV1,
  UnitLookupRequestV1,
  UnitLookupV1,
  VisitorBuildingsV1,
  VisitorRegistrationV1,
  VisitStatusV1,
} from './visitors.schema';

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
        door: {
          type: 'http',
          scheme: 'bearer',
          description: 'Per-door secret issued at the station console',
        },
        alertSource: {
          type: 'http',
          scheme: 'bearer',
          description: 'Per-source webhook token made by an administrator on /cms/alerts (shown once)',
        },
      },
      schemas: {
        EnrollRequestV1: inputSchema(EnrollRequestV1),
        EnrollResponseV1: schema(EnrollResponseV1),
        ManifestV1: schema(ManifestV1),
        ManifestChangedEventV1: schema(ManifestChangedEventV1),
        ApiErrorBody: schema(ApiErrorBody),
        CardLookupRequestV1: inputSchema(CardLookupRequestV1),
        CardSummaryV1: schema(CardSummaryV1),
        PayBillsRequestV1: inputSchema(PayBillsRequestV1),
        PaymentReceiptV1: schema(PaymentReceiptV1),
        StatementRequestV1: inputSchema(StatementRequestV1),
        StatementV1: schema(StatementV1),
        ReportLostRequestV1: inputSchema(ReportLostRequestV1),
        ReportLostResponseV1: schema(ReportLostResponseV1),
        TopUpOrderRequestV1: inputSchema(TopUpOrderRequestV1),
        TopUpOrderV1: schema(TopUpOrderV1),
        ProviderCallbackV1: inputSchema(ProviderCallbackV1),
        HeartbeatV1: inputSchema(HeartbeatV1),
        HeartbeatResponseV1: schema(HeartbeatResponseV1),
        DeviceCommandEventV1: schema(DeviceCommandEventV1),
        CommandAckV1: inputSchema(CommandAckV1),
        VisitorBuildingsV1: schema(VisitorBuildingsV1),
        UnitLookupRequestV1: inputSchema(UnitLookupRequestV1),
        UnitLookupV1: schema(UnitLookupV1),
        VisitorRegistrationV1: inputSchema(VisitorRegistrationV1),
        VisitStatusV1: schema(VisitStatusV1),
        AccessVerifyRequestV1: inputSchema(AccessVerifyRequestV1),
        AccessVerifyResponseV1: schema(AccessVerifyResponseV1),
        AccessPublicKeyV1: schema(AccessPublicKeyV1),
        DeviceAlertsV1: schema(DeviceAlertsV1),
        DeviceStatsBatchV1: inputSchema(DeviceStatsBatchV1),
        DeviceStatsResponseV1: schema(DeviceStatsResponseV1),
        AlertWebhookV1: inputSchema(AlertWebhookV1),
        AssetBundleRequestV1: inputSchema(AssetBundleRequestV1),
        RatingRequestV1: inputSchema(RatingRequestV1),
        RatingResponseV1: schema(RatingResponseV1),
        AlertWebhookResponseV1: schema(AlertWebhookResponseV1),
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
          summary:
            'Server-sent events: hello, manifest-changed (data: ManifestChangedEventV1), command (data: DeviceCommandEventV1), alert (data: DeviceAlertsV1: every active alert of the device, on connect and on each raise, clear or expiry)',
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
      [apiPaths.assetBundle]: {
        post: {
          summary:
            'Many small assets in one answer: per asset held, in the order asked, a line `<sha256> <size>\\n` ' +
            'then its bytes; assets not held are left out',
          security: [{ device: [] }],
          requestBody: { required: true, ...json('AssetBundleRequestV1') },
          responses: {
            '200': {
              description: 'The frames',
              content: { [ASSET_BUNDLE_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } } },
            },
            '400': { description: 'Malformed request', ...json('ApiErrorBody') },
            '401': errors['401'],
            '413': { description: 'Request body too large', ...json('ApiErrorBody') },
          },
        },
      },
      ...paymentPaths(),
      ...fleetAndVisitorPaths(),
      ...alertApiPaths(),
      ...ratingApiPaths(),
      ...statsApiPaths(),
      [apiPaths.health]: {
        get: { summary: 'Liveness', responses: { '200': { description: '{status, version}' } } },
      },
    },
  };
}

/** Money-moving calls carry this header; the first answer is replayed for a retry with the same key and body. */
const idempotencyHeader = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: true,
  schema: { type: 'string', minLength: 8, maxLength: 128 },
  description:
    'Applied once; a retry gets the first answer (header Idempotent-Replayed: true); another body: 409',
};
const paymentError = (description: string) => ({ description, ...json('ApiErrorBody') });

/** The card-payment paths (issue 7). Amounts are integer fen everywhere. */
function paymentPaths() {
  const post = (summary: string, request: string, response: string, extra: Record<string, unknown> = {}) => ({
    post: {
      summary,
      security: [{ device: [] }],
      requestBody: { required: true, ...json(request) },
      responses: {
        '200': { description: 'OK', ...json(response) },
        '400': errors['400'],
        '401': errors['401'],
        '403': paymentError('card-blocked, wrong-pin (params.remaining), pin-required, verification-failed'),
        '404': paymentError('card-unknown'),
        '409': paymentError('insufficient-balance, daily-limit, bill-unavailable, idempotency-mismatch'),
        '423': paymentError('card-locked: three wrong PINs; a clerk unlocks it'),
      },
      ...extra,
    },
  });
  return {
    [apiPaths.cardLookup]: post(
      'A tapped card: masked holder, balance, limits, the household unpaid bills',
      'CardLookupRequestV1',
      'CardSummaryV1',
    ),
    [apiPaths.payBills]: post(
      'Pay selected bills with the card (PIN above the limit)',
      'PayBillsRequestV1',
      'PaymentReceiptV1',
      {
        parameters: [idempotencyHeader],
      },
    ),
    [apiPaths.statement]: post('The card recent movements', 'StatementRequestV1', 'StatementV1'),
    [apiPaths.reportLost]: post(
      'Report the caller cards lost after ID number + phone verification',
      'ReportLostRequestV1',
      'ReportLostResponseV1',
    ),
    [apiPaths.topUpOrders]: post(
      'Start an online top-up; show qrPayload as a QR code',
      'TopUpOrderRequestV1',
      'TopUpOrderV1',
      {
        parameters: [idempotencyHeader],
      },
    ),
    [apiPaths.topUpOrder('{orderId}')]: {
      get: {
        summary: 'The state of an online top-up order (poll while the QR is shown)',
        security: [{ device: [] }],
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'OK', ...json('TopUpOrderV1') },
          '401': errors['401'],
          '404': paymentError('no such order'),
        },
      },
    },
    [apiPaths.providerCallback('{provider}')]: {
      post: {
        summary: 'A top-up provider asynchronous notice; credits each order once',
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
          {
            name: PROVIDER_SIGNATURE_HEADER,
            in: 'header',
            required: true,
            schema: { type: 'string' },
            description: 'hex HMAC-SHA256 of the raw body',
          },
        ],
        requestBody: { required: true, ...json('ProviderCallbackV1') },
        responses: {
          '200': { description: 'Applied or acknowledged' },
          '401': paymentError('bad-signature'),
        },
      },
    },
  };
}

/** Heartbeats and command acknowledgements (issue 5), visitor registration and door access (issue 6). */
function fleetAndVisitorPaths() {
  const deviceCall = (
    summary: string,
    responses: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({
    summary,
    security: [{ device: [] }],
    responses: { ...responses, '400': errors['400'], '401': errors['401'] },
    ...extra,
  });
  const body = (ref: string) => ({ requestBody: { required: true, ...json(ref) } });
  return {
    [fleetPaths.heartbeat]: {
      post: deviceCall(
        'The kiosk status report, every interval',
        { '200': { description: 'Stored', ...json('HeartbeatResponseV1') } },
        body('HeartbeatV1'),
      ),
    },
    // fleetPaths.commandAck would percent-encode the braces
    [`${API_V1}/device/commands/{commandId}/ack`]: {
      post: deviceCall(
        'Acknowledge a command: JSON CommandAckV1, or for a screenshot the PNG itself (image/png)',
        {
          '200': { description: 'Acknowledged' },
          '404': paymentError('no such command for this device'),
          '409': paymentError('already acknowledged'),
          '415': paymentError('not a PNG'),
        },
        {
          parameters: [{ name: 'commandId', in: 'path', required: true, schema: { type: 'string' } }],
          ...body('CommandAckV1'),
        },
      ),
    },
    [apiPaths.visitorBuildings]: {
      get: deviceCall("The buildings of the device's community", {
        '200': { description: 'OK', ...json('VisitorBuildingsV1') },
      }),
    },
    [apiPaths.visitorUnitLookup]: {
      post: deviceCall(
        'Does the unit exist, and whom would we ask (masked surnames only)',
        { '200': { description: 'OK', ...json('UnitLookupV1') } },
        body('UnitLookupRequestV1'),
      ),
    },
    [apiPaths.visitorRegistrations]: {
      post: deviceCall(
        'Register a visitor; one visit per clientRef, a repeat gets the same answer (Idempotent-Replayed: true)',
        {
          '200': { description: 'Already registered', ...json('VisitStatusV1') },
          '201': { description: 'Registered', ...json('VisitStatusV1') },
          '403': paymentError('the device belongs to no community'),
          '404': paymentError('unknown building or unit (error.field)'),
          '409': paymentError('clientRef used by another device'),
        },
        body('VisitorRegistrationV1'),
      ),
    },
    [apiPaths.visitorRegistration('{clientRef}')]: {
      get: deviceCall(
        'Where a registration stands (poll after pollAfterMs); the pass once approved',
        {
          '200': { description: 'OK', ...json('VisitStatusV1') },
          '404': paymentError('no such registration'),
        },
        { parameters: [{ name: 'clientRef', in: 'path', required: true, schema: { type: 'string' } }] },
      ),
    },
    [apiPaths.accessVerify]: {
      post: {
        summary:
          'A door controller asks whether a visitor pass or a resident card opens its door; every attempt is logged',
        security: [{ door: [] }],
        ...body('AccessVerifyRequestV1'),
        responses: {
          '200': { description: 'allow or deny, with the reason', ...json('AccessVerifyResponseV1') },
          '400': errors['400'],
          '401': paymentError('unknown door secret'),
          '403': paymentError('the secret belongs to another door'),
        },
      },
    },
    [apiPaths.accessPublicKey]: {
      get: {
        summary: 'The Ed25519 public key pass tokens are signed with, for offline checks at the door',
        responses: { '200': { description: 'OK', ...json('AccessPublicKeyV1') } },
      },
    },
  };
}

/** Emergency alerts (issue 4): the device's active alerts, and the webhook of IoT alarm gateways. */
function alertApiPaths() {
  return {
    [alertPaths.deviceAlerts]: {
      get: {
        summary:
          'Every alert active for the calling device (the same data as the `alert` event), for polling',
        security: [{ device: [] }],
        responses: { '200': { description: 'OK', ...json('DeviceAlertsV1') }, '401': errors['401'] },
      },
    },
    [alertPaths.webhook]: {
      post: {
        summary:
          'An alarm gateway raises or clears an alert of its community; idempotent per (source, externalId), audited',
        security: [{ alertSource: [] }],
        requestBody: { required: true, ...json('AlertWebhookV1') },
        responses: {
          '200': {
            description: 'Already raised or cleared (replayed: true)',
            ...json('AlertWebhookResponseV1'),
          },
          '201': { description: 'Raised', ...json('AlertWebhookResponseV1') },
          '400': errors['400'],
          '401': { description: 'Unknown or revoked source token', ...json('ApiErrorBody') },
          '404': {
            description: 'clear: no alert with this externalId from this source',
            ...json('ApiErrorBody'),
          },
          '413': { description: 'Body too large', ...json('ApiErrorBody') },
        },
      },
    },
  };
}

/** Proof-of-play (issue 4): kiosks send their plays and touches in batches from their outbox. */
function statsApiPaths() {
  return {
    [signagePaths.deviceStats]: {
      post: {
        summary:
          'A batch of plays and touches; stored once per (device, batchId), a repeat answers 200 with replayed: true',
        security: [{ device: [] }],
        requestBody: { required: true, ...json('DeviceStatsBatchV1') },
        responses: {
          '200': { description: 'Received before (replayed: true)', ...json('DeviceStatsResponseV1') },
          '201': { description: 'Stored', ...json('DeviceStatsResponseV1') },
          '400': errors['400'],
          '401': errors['401'],
          '413': { description: 'Body too large (256 KB)', ...json('ApiErrorBody') },
        },
      },
    },
  };
}

/** Residents' ratings of service providers (§6.2.1-6), from kiosks. */
function ratingApiPaths() {
  return {
    [ratingPaths.deviceRatings]: {
      post: {
        summary:
          "A resident's rating (1-5) of a published service-provider card; the average and count reach screens in the manifest",
        security: [{ device: [] }],
        // optional here: kiosks older than the rating outbox send none (and a retry of theirs counts again)
        parameters: [{ ...idempotencyHeader, required: false }],
        requestBody: { required: true, ...json('RatingRequestV1') },
        responses: {
          '201': {
            description: 'Stored (or, for a key seen before, the first answer replayed)',
            ...json('RatingResponseV1'),
          },
          '400': errors['400'],
          '401': errors['401'],
          '404': { description: 'No published service-provider card with this id', ...json('ApiErrorBody') },
          '409': {
            description: 'idempotency-mismatch: this key was sent with another rating',
            ...json('ApiErrorBody'),
          },
          '429': { description: 'Too many ratings from this device; try later', ...json('ApiErrorBody') },
        },
      },
    },
  };
}
