import { InvalidInput } from '../errors/flowctl-error';
import { formatDuration, parseDuration } from '../workflow/duration';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * One environment variable: its name, what it means, its default as a user
 * would write it, and how its text becomes a value. The same declaration is
 * read at start and printed as the reference table in the docs, so the two
 * cannot drift.
 */
export interface EnvVariable<T> {
  readonly name: string;
  readonly description: string;
  /** As written in the environment; undefined when the variable has no default (optional or required). */
  readonly defaultText?: string;
  readonly required: boolean;
  /** Never shown back in an error message (keys, tokens, passwords in URLs). */
  readonly secret: boolean;
  /** The value, or a throw of a sentence that completes "NAME must ..." / "NAME: ...". */
  parse(text: string): T;
  readonly absent: T;
}

/** Thrown by a parser; the schema prefixes the variable's name and the offending text. */
export class EnvValueInvalid extends Error {
  override name = 'EnvValueInvalid';
}

interface Common {
  description: string;
  secret?: boolean;
}

function variable<T>(
  name: string,
  options: Common & { defaultText?: string; required?: boolean },
  parse: (text: string) => T,
  absent: T,
): EnvVariable<T> {
  return {
    name,
    description: options.description,
    defaultText: options.defaultText,
    required: options.required ?? false,
    secret: options.secret ?? false,
    parse,
    absent,
  };
}

const fail = (expectation: string): never => {
  throw new EnvValueInvalid(expectation);
};

/** Builders for the kinds of value flowctl's variables hold. */
export const env = {
  /** Free text; empty counts as absent. */
  text(
    name: string,
    options: Common & { default?: string; required?: boolean; pattern?: RegExp; expect?: string },
  ): EnvVariable<string | undefined> {
    const parse = (text: string) =>
      options.pattern && !options.pattern.test(text) ? fail(`must be ${options.expect ?? `like ${options.pattern}`}`) : text;
    return variable(name, { ...options, defaultText: options.default }, parse, options.default);
  },

  integer(name: string, options: Common & { default?: number; min: number; max: number; unit?: string }): EnvVariable<number | undefined> {
    const parse = (text: string) => {
      const value = Number(text.trim());
      return /^-?\d+$/.test(text.trim()) && value >= options.min && value <= options.max
        ? value
        : fail(`must be a whole number${options.unit ? ` of ${options.unit}` : ''} from ${options.min} to ${options.max}`);
    };
    return variable(name, { ...options, defaultText: options.default?.toString() }, parse, options.default);
  },

  /** `500ms`, `10s`, `5m`, `1h`, `1d` or a number of milliseconds. */
  duration(name: string, options: Common & { default?: string; min?: number }): EnvVariable<number | undefined> {
    const min = options.min ?? 0;
    const parse = (text: string) => {
      const ms = parseDuration(text);
      return ms !== undefined && ms >= min
        ? ms
        : fail(`must be a duration such as 30s${min > 0 ? `, at least ${formatDuration(min)}` : ''}`);
    };
    return variable(
      name,
      { ...options, defaultText: options.default },
      parse,
      options.default === undefined ? undefined : parse(options.default),
    );
  },

  /** `true`/`1` or `false`/`0`. */
  flag(name: string, options: Common & { default: boolean }): EnvVariable<boolean> {
    const parse = (text: string) => {
      const value = text.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      return fail('must be true or false');
    };
    return variable(name, { ...options, defaultText: String(options.default) }, parse, options.default);
  },

  oneOf<const T extends string>(name: string, options: Common & { default: T; values: readonly T[] }): EnvVariable<T> {
    const parse = (text: string) =>
      (options.values as readonly string[]).includes(text.trim())
        ? (text.trim() as T)
        : fail(`must be one of ${options.values.join(', ')}`);
    return variable(name, { ...options, defaultText: options.default }, parse, options.default);
  },

  /** A URL whose scheme is one of `schemes`. */
  url(
    name: string,
    options: Common & { schemes: readonly string[]; required?: boolean; default?: string },
  ): EnvVariable<string | undefined> {
    const parse = (text: string) => {
      let url: URL | undefined;
      try {
        url = new URL(text.trim());
      } catch {
        url = undefined;
      }
      return url && options.schemes.includes(url.protocol.replace(/:$/, ''))
        ? text.trim()
        : fail(`must be a ${options.schemes.map((scheme) => `${scheme}://`).join(' or ')} URL`);
    };
    return variable(name, { ...options, defaultText: options.default }, parse, options.default);
  },

  /** Anything with a parser of its own (a list, a rate): `parse` throws EnvValueInvalid with what the value must look like. */
  custom<T>(
    name: string,
    options: Common & { default?: string; required?: boolean },
    parse: (text: string) => T,
    absent: T,
  ): EnvVariable<T> {
    return variable(
      name,
      { ...options, defaultText: options.default },
      parse,
      options.default === undefined ? absent : parse(options.default),
    );
  },
};

type Values<S extends Record<string, EnvVariable<unknown>>> = { [K in keyof S]: S[K] extends EnvVariable<infer T> ? T : never };

export interface Environment<S extends Record<string, EnvVariable<unknown>>> {
  readonly variables: readonly EnvVariable<unknown>[];
  /** Every variable read at once; a bad or missing one fails the whole read with every problem named. */
  read(source: Env): Values<S>;
}

/** The variables one app reads, in the order the docs list them. */
export function defineEnvironment<S extends Record<string, EnvVariable<unknown>>>(schema: S): Environment<S> {
  const entries = Object.entries(schema);
  return {
    variables: entries.map(([, variable]) => variable),
    read(source) {
      const values: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [key, variable] of entries) {
        const text = source[variable.name];
        if (text === undefined || text === '') {
          if (variable.required) problems.push(`${variable.name} must be set: ${variable.description}`);
          values[key] = variable.absent;
          continue;
        }
        try {
          values[key] = variable.parse(text);
        } catch (error) {
          if (!(error instanceof EnvValueInvalid) && !(error instanceof InvalidInput)) throw error;
          const shown = variable.secret ? '' : `, got "${text.length > 80 ? `${text.slice(0, 80)}...` : text}"`;
          const message = error.message;
          problems.push(message.startsWith('must ') ? `${variable.name} ${message}${shown}` : `${variable.name}: ${message}${shown}`);
        }
      }
      if (problems.length > 0) throw new InvalidInput(problems.join('; '));
      return values as Values<S>;
    },
  };
}

/** The reference table of an environment, in Markdown: the docs embed it and a test keeps them equal. */
export function describeEnvironment(variables: readonly EnvVariable<unknown>[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = variables.map(
    (variable) =>
      `| \`${variable.name}\` | ${variable.required ? 'required' : variable.defaultText === undefined ? '' : `\`${cell(variable.defaultText)}\``} | ${cell(variable.description)} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
