import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 16 at a time from a pool filled in bulk: one call into the OS per 256 ids, not per id. */
const POOL_BYTES = 16 * 256;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * RFC 9562 UUIDv7: time-ordered, so run ids sort by creation and new rows land
 * at the right edge of the primary-key index instead of scattering across it.
 */
export function uuidV7(now: number = Date.now()): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
