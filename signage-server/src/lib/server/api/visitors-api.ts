import type { Failure } from '../result';
import { apiError } from './api-error';

/** A visitor-service failure as an API answer; kinds the kiosk acts on name the field at fault. */
export function visitorFailure(error: Failure): Response {
  const params = error.params ? { params: error.params } : {};
  switch (error.kind) {
    case 'invalid-id-number':
      return apiError('invalid-body', error.message, { field: 'identity.documentNumber', ...params });
    case 'unknown-building':
      return apiError('not-found', error.message, { field: 'visit.buildingId' });
    case 'unknown-unit':
      return apiError('not-found', error.message, { field: 'visit.unitNumber' });
    case 'no-community':
      return apiError('forbidden', error.message);
    case 'not-found':
      return apiError('not-found', error.message);
    default:
      return apiError('conflict', error.message);
  }
}
