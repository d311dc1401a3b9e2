/** How values cross PostgreSQL's JSON: into a jsonb parameter, and back out of a row built by to_jsonb. */

/** A jsonb parameter: undefined (nothing to store) becomes SQL NULL rather than the text "undefined". */
export const jsonParameter = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** A timestamp that came back as JSON text. */
export function dateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as string);
}

/** A bigint id that came back as a JSON number: ids are text everywhere else, as pg answers them. */
export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
