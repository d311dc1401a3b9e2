import { MAX_LOG_LINE_BYTES, sanitizeLogMessage } from './log-message';

describe('sanitizeLogMessage', () => {
  it('keeps an ordinary line as it is', () => {
    expect(sanitizeLogMessage('hello wörld')).toEqual({ message: 'hello wörld', bytes: 12, truncated: false });
  });

  it('removes NUL bytes, which PostgreSQL text rejects', () => {
    expect(sanitizeLogMessage('a\u0000b\u0000').message).toBe('ab');
  });

  it('replaces lone surrogates (invalid UTF-8 once decoded) with U+FFFD', () => {
    const { message } = sanitizeLogMessage('x\uD800y\uDC00');
    expect(message).toBe('x\uFFFDy\uFFFD');
    expect(Buffer.from(message, 'utf8').toString('utf8')).toBe(message);
  });

  it('cuts a line past the limit on a character boundary and marks it', () => {
    const { message, bytes, truncated } = sanitizeLogMessage('é'.repeat(MAX_LOG_LINE_BYTES));
    expect(truncated).toBe(true);
    expect(bytes).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(message.endsWith(' [truncated]')).toBe(true);
    expect(message).not.toContain('\uFFFD');
  });

  it('turns anything that is not a string into text rather than throwing', () => {
    expect(sanitizeLogMessage(42 as unknown).message).toBe('42');
  });
});
