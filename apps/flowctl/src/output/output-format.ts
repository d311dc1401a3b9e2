import { Option } from 'commander';
import { formatJson } from './json';
import { formatYaml } from './yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `-o` option shared by every command that prints resources. */
export const outputOption = (): Option => new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table');

/** The machine-readable rendering of `value`, for `-o json` and `-o yaml`. */
export function formatDocument(format: Exclude<OutputFormat, 'table'>, value: unknown): string {
  return format === 'json' ? formatJson(value) : formatYaml(value);
}
