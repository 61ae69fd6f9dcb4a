/**
 * What the public pages (journey.ts, manage.ts) and the JSON API (routes.ts) share: the
 * public actor and the rate-limit buckets. Its own file so the pages need not import
 * routes.ts, which registers them (an import cycle).
 */
import { FORM_LIMITS } from '../platform/rate-limits.js';

/** Booking posts, page and API, share one bucket: 10 per IP per 10 minutes (docs/rules/security.md §6). */
export const BOOKING_RATE_LIMIT = FORM_LIMITS.booking;
/** Cancelling, page and API, is one form with a bucket of its own (same numbers). */
export const CANCEL_RATE_LIMIT = { ...FORM_LIMITS.booking, bucket: 'booking-cancel' };
/** The other manage forms (change, offer, waiting list): a count per form, same numbers. */
export const MANAGE_RATE_LIMIT = { ...FORM_LIMITS.booking, bucket: undefined };
