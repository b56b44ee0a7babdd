import { z } from 'zod';
import { ContentId } from '../content-item.schema';
import { RatingScore, RatingSummary } from '../content-kind.schema';
import { API_V1 } from './paths';

/** Path of residents' ratings of service providers (§6.2.1-6 监督公开), sent by kiosks. */
export const ratingPaths = {
  deviceRatings: `${API_V1}/device/ratings`,
} as const;

/** One resident's rating of a service-provider card, 1 (poor) to 5 (excellent). */
export const RatingRequestV1 = z.strictObject({
  itemId: ContentId,
  score: RatingScore,
});
export type RatingRequestV1 = z.infer<typeof RatingRequestV1>;

/** The provider's ratings after this one; screens get them with the next manifest. */
export const RatingResponseV1 = z.object({ itemId: ContentId, rating: RatingSummary });
export type RatingResponseV1 = z.infer<typeof RatingResponseV1>;
