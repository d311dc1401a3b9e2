import { InvalidInput } from '@flowctl/core';

/** Opaque keyset cursors: clients pass back what they were given and never build one. */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: unknown, isValid: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (typeof cursor !== 'string') throw new InvalidInput('cursor must be a string');
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the one error below
  }
  throw new InvalidInput('cursor is not one this server issued');
}

/*
 * Cursor fields end up in SQL casts (timestamptz, uuid, bigint). A cursor is
 * client input: a value PostgreSQL would refuse must be refused here, as a bad
 * cursor (400), not surface as a failed query (500).
 */
export const isTimestampField = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value));
export const isUuidField = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
/** A bigint id as text; 18 digits always fit in a bigint. */
export const isBigintIdField = (value: unknown): value is string => typeof value === 'string' && /^\d{1,18}$/.test(value);

/** Fetch one row more than asked to learn whether a next page exists without counting. */
export function page<T>(rows: T[], limit: number, cursorOf: (last: T) => unknown): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
