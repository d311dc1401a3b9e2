import { createHash } from 'node:crypto';
import { canonicalJson } from '@flowctl/core';

/**
 * The id of an event sent without one: a hash of its name and data, so the
 * same event sent twice is one event (a retry starts nothing twice), and two
 * events that differ in any field are two. A sender whose identical events
 * are distinct occurrences must give each its own id.
 */
export function derivedEventId(name: string, data: unknown): string {
  return createHash('sha256')
    .update(`${name}\u0000${canonicalJson(data ?? null)}`)
    .digest('hex');
}
