import { InvalidInput } from '../errors/flowctl-error';
import { defineEnvironment, describeEnvironment, env, EnvValueInvalid } from './environment';

const schema = defineEnvironment({
  pool: env.integer('DB_POOL', { default: 10, min: 1, max: 100, description: 'connections' }),
  timeout: env.duration('TIMEOUT', { default: '30s', min: 1_000, description: 'how long' }),
  url: env.url('DATABASE_URL', { schemes: ['postgres'], required: true, secret: true, description: 'the database' }),
  mode: env.oneOf('MODE', { default: 'fast', values: ['fast', 'safe'] as const, description: 'how' }),
  verbose: env.flag('VERBOSE', { default: false, description: 'talk more' }),
  pair: env.custom(
    'PAIR',
    { description: 'a:b' },
    (text) =>
      text.includes(':')
        ? text.split(':')
        : (() => {
            throw new EnvValueInvalid('must look like a:b');
          })(),
    [] as string[],
  ),
});

const valid = { DATABASE_URL: 'postgres://localhost/db' };

describe('defineEnvironment', () => {
  it('gives each variable its default when it is unset or empty', () => {
    expect(schema.read({ ...valid, DB_POOL: '' })).toEqual({
      pool: 10,
      timeout: 30_000,
      url: valid.DATABASE_URL,
      mode: 'fast',
      verbose: false,
      pair: [],
    });
  });

  it('parses what is set', () => {
    expect(schema.read({ ...valid, DB_POOL: '25', TIMEOUT: '2m', MODE: 'safe', VERBOSE: 'true', PAIR: 'a:b' })).toMatchObject({
      pool: 25,
      timeout: 120_000,
      mode: 'safe',
      verbose: true,
      pair: ['a', 'b'],
    });
  });

  it('refuses what is not a whole number in range, naming the variable and the value', () => {
    for (const bad of ['abc', 'NaN', '1.5', '0', '101', '']) {
      if (bad === '') continue;
      expect(() => schema.read({ ...valid, DB_POOL: bad })).toThrow(`DB_POOL must be a whole number from 1 to 100, got "${bad}"`);
    }
  });

  it('reports every bad variable at once, and a missing required one', () => {
    let error: unknown;
    try {
      schema.read({ DB_POOL: 'x', TIMEOUT: 'soon', MODE: 'slow' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInput);
    const message = (error as Error).message;
    expect(message).toContain('DB_POOL must be a whole number');
    expect(message).toContain('TIMEOUT must be a duration such as 30s, at least 1s, got "soon"');
    expect(message).toContain('DATABASE_URL must be set');
    expect(message).toContain('MODE must be one of fast, safe, got "slow"');
  });

  it('never repeats a secret value in its message', () => {
    expect(() => schema.read({ DATABASE_URL: 'mysql://user:hunter2@host/db' })).toThrow(/^DATABASE_URL must be a postgres:\/\/ URL$/);
  });

  it('prints a Markdown table of every variable with its default', () => {
    const table = describeEnvironment(schema.variables);
    expect(table.split('\n')).toHaveLength(2 + 6);
    expect(table).toContain('| `DB_POOL` | `10` | connections |');
    expect(table).toContain('| `DATABASE_URL` | required | the database |');
    expect(table).toContain('| `PAIR` |  | a:b |');
  });
});
