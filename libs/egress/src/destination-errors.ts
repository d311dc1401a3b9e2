/** The policy forbids this destination: asking again changes nothing. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
  readonly nonRetryable = true;
}

/** The name does not resolve now; it may later (retryable). */
export class DestinationUnresolved extends Error {
  override name = 'DestinationUnresolved';
}
