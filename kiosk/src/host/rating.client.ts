import { RatingResponseV1, ratingPaths, type RatingRequestV1, type RatingSummary } from '@linli/content';
import { fail, ok, type Result } from '../shared/result';
import type { DeviceApiClient } from './device-api.client';

/**
 * Sends a resident's rating of a service-provider card to the server. Ratings are not kept in the outbox: one a
 * resident gave while the server was away is of little worth later, and the renderer says it could not be sent.
 */
export function createRatingApi(client: Pick<DeviceApiClient, 'postJson'>, credential: () => string | null) {
  return {
    rateProvider: async (request: RatingRequestV1): Promise<Result<RatingSummary>> => {
      const token = credential();
      if (!token) return fail('not-enrolled', 'this kiosk is not enrolled');
      const sent = await client.postJson(token, ratingPaths.deviceRatings, request);
      if (!sent.ok) return sent;
      const { status, body } = sent.value;
      if (status === 201) {
        const parsed = RatingResponseV1.safeParse(body);
        return parsed.success
          ? ok(parsed.data.rating)
          : fail('invalid-response', 'the rating answer did not match RatingResponseV1');
      }
      const kind = status === 429 ? 'rate-limited' : status === 404 ? 'not-found' : 'server-error';
      return fail(kind, `the server refused the rating (HTTP ${status})`);
    },
  };
}
