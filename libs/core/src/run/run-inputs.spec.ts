import { resolveRunInputs } from './run-inputs';
import type { InputDefinition } from '../workflow/workflow-definition';

const declared: Record<string, InputDefinition> = {
  date: { type: 'string', default: '2026-01-01', required: false },
  limit: { type: 'integer', required: true },
};

describe('resolveRunInputs', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveRunInputs(declared, { limit: 5 })).toEqual({ date: '2026-01-01', limit: 5 });
  });

  it('refuses a missing required input, a wrong type and an undeclared input in one message', () => {
    expect(() => resolveRunInputs(declared, { date: 3, extra: true })).toThrow(
      /unknown input "extra".*input "date" must be a string.*input "limit" is required/,
    );
  });

  it('refuses inputs that are not an object', () => {
    expect(() => resolveRunInputs(declared, [1, 2])).toThrow('inputs must be an object');
  });
});
