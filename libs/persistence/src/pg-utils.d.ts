/** pg's value mapping for parameters (not in @types/pg): what pg's own Query applies to each value. */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): unknown;
}
