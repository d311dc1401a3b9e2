/** The idempotency key of the runs an event starts: one run per workflow per event id, whoever retries. */
export const eventIdempotencyKey = (eventId: string): string => `event:${eventId}`;
