/**
 * Per-partner API rate limit: `rateLimitPerMinute` of the profile, enforced by the shared token
 * bucket of src/http/rate-limit.ts (429 with Retry-After when exceeded).
 */
export { createRateLimiter, type RateLimiter } from '../rate-limit.ts'
