/** What `CONFIG GET maxmemory-policy` answered: the policy, or why it could not be read. */
export type EvictionPolicyReading = { policy: string } | { unreadable: string };

/**
 * The warning a Redis setting deserves, if any. Any policy but noeviction lets
 * Redis drop queued jobs under memory pressure; PostgreSQL would still hold the
 * tasks and the reconciler send them again, but only after its interval.
 */
export function evictionPolicyWarning(reading: EvictionPolicyReading): string | undefined {
  if ('unreadable' in reading) {
    return `could not read Redis maxmemory-policy (${reading.unreadable}); make sure it is noeviction (see docs/redis.md)`;
  }
  if (reading.policy === 'noeviction') return undefined;
  return `Redis maxmemory-policy is "${reading.policy}": Redis may evict queued jobs under memory pressure. Set maxmemory-policy noeviction (see docs/redis.md)`;
}
