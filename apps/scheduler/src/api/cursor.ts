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

export function parseLimit(limit: unknown, fallback = 50, max = 500): number {
  if (limit === undefined || limit === '') return fallback;
  const value = Number(limit);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new InvalidInput(`limit must be an integer from 1 to ${max}`);
  return value;
}

/** Fetch one row more than asked to learn whether a next page exists without counting. */
export function page<T>(rows: T[], limit: number, cursorOf: (last: T) => unknown): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
