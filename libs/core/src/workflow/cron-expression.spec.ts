import { cronProblem } from './cron-expression';

describe('cronProblem', () => {
  it('accepts standard five-field expressions', () => {
    for (const cron of [
      '0 2 * * *',
      '*/5 * * * *',
      '0 9-17 * * 1-5',
      '15,45 0 1 JAN,JUL *',
      '0 0 * * SUN',
      '0 0 * * 7',
      '0 0 1-31/2 * *',
      '  0 2 * * *  ',
    ]) {
      expect(cronProblem(cron)).toBeUndefined();
    }
  });

  it('accepts six fields with seconds first, and the usual macros', () => {
    expect(cronProblem('30 0 2 * * MON-FRI')).toBeUndefined();
    expect(cronProblem('@daily')).toBeUndefined();
    expect(cronProblem('@hourly')).toBeUndefined();
  });

  it('rejects the wrong number of fields', () => {
    expect(cronProblem('0 2 * *')).toBe('a cron expression has 5 fields (or 6 with seconds), not 4');
    expect(cronProblem('0 0 2 * * * 2026')).toBe('a cron expression has 5 fields (or 6 with seconds), not 7');
  });

  it('rejects values outside their field', () => {
    expect(cronProblem('60 * * * *')).toBe('minute field "60" must use values from 0 to 59');
    expect(cronProblem('0 24 * * *')).toBe('hour field "24" must use values from 0 to 23');
    expect(cronProblem('0 0 0 * *')).toBe('day of month field "0" must use values from 1 to 31');
    expect(cronProblem('0 0 * 13 *')).toBe('month field "13" must use values from 1 to 12 or JAN-DEC');
    expect(cronProblem('0 0 * * 8')).toBe('day of week field "8" must use values from 0 to 7 or SUN-SAT');
    expect(cronProblem('0 0 * FOO *')).toBe('month field "FOO" must use values from 1 to 12 or JAN-DEC');
  });

  it('rejects malformed fields, zero steps, backward ranges and unknown macros', () => {
    expect(cronProblem('0 0 L * *')).toBe('day of month field "L" must use values from 1 to 31');
    expect(cronProblem('0 0 ? * *')).toBe('invalid day of month field "?"');
    expect(cronProblem('*/0 * * * *')).toBe('invalid step "/0" in minute field "*/0"');
    expect(cronProblem('0 17-9 * * *')).toBe('range "17-9" in hour field goes backwards');
    expect(cronProblem('1,,2 * * * *')).toBe('invalid minute field "1,,2"');
    expect(cronProblem('@sometimes')).toBe(
      'unknown cron macro "@sometimes" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    );
  });
});
