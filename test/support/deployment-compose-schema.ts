import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The Compose Specification's JSON schema, as dclint (a maintained Compose linter)
 * ships it. It is not in the package's exports map, hence the path from its package.json.
 */
function composeSpecSchema(): Record<string, unknown> {
  const file = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The schema names draft-07 by an https URL that Ajv does not know under that
  // spelling; same draft, Ajv's spelling.
  return { ...schema, $schema: 'http://json-schema.org/draft-07/schema#' };
}

let validateCompose: ReturnType<Ajv['compile']> | undefined;

const describeError = (error: ErrorObject): string =>
  `${error.instancePath || '/'} ${error.message ?? error.keyword}${error.params && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`;

/** Where a Compose file departs from the Compose Specification; empty when it conforms. */
export function composeSchemaErrors(compose: unknown): string[] {
  // strictTypes off: the upstream schema mixes union types and untyped keywords, which is valid JSON Schema.
  validateCompose ??= new Ajv({ allErrors: true, strictTypes: false }).compile(composeSpecSchema());
  return validateCompose(compose) ? [] : (validateCompose.errors ?? []).map(describeError);
}
