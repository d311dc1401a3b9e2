/** A single stored line is at most this many UTF-8 bytes; the rest is cut and the line says so. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

export interface SanitizedLogMessage {
  message: string;
  /** UTF-8 bytes of `message`, what the per-attempt cap counts. */
  bytes: number;
  truncated: boolean;
}

const TRUNCATED_NOTE = ' [truncated]';
const LONE_SURROGATE_SOURCE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE);
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE_SOURCE, 'g');

/**
 * Makes any text storable as one log line: lone surrogates (what invalid UTF-8 becomes once decoded
 * leniently, or what a hostile JSON string holds) are replaced by U+FFFD, NUL bytes are removed
 * (PostgreSQL text rejects them), and a line longer than `maxBytes` is cut on a character boundary and
 * marked. Never throws, whatever it is given.
 */
export function sanitizeLogMessage(text: unknown, maxBytes = MAX_LOG_LINE_BYTES): SanitizedLogMessage {
  let message = typeof text === 'string' ? text : String(text);
  if (message.includes('\u0000')) message = message.replace(/\u0000/g, '');
  if (LONE_SURROGATE.test(message)) message = message.replace(LONE_SURROGATE_ALL, '\uFFFD');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings skip the byte count's cost.
  if (message.length * 3 <= maxBytes) return { message, bytes: Buffer.byteLength(message, 'utf8'), truncated: false };
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes <= maxBytes) return { message, bytes, truncated: false };
  const budget = maxBytes - TRUNCATED_NOTE.length;
  // Decoding a cut buffer may end in a partial character, which becomes U+FFFD (3 bytes): cut it off.
  let cut = Buffer.from(message, 'utf8').subarray(0, budget).toString('utf8');
  if (cut.endsWith('\uFFFD') && !message.startsWith(cut)) cut = cut.slice(0, -1);
  const truncated = cut + TRUNCATED_NOTE;
  return { message: truncated, bytes: Buffer.byteLength(truncated, 'utf8'), truncated: true };
}
