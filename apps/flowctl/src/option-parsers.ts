import { InvalidArgumentError } from 'commander';

/** Parsers for option values; they throw commander's InvalidArgumentError so a bad value is a usage error (exit 2). */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A command-line duration (`500ms`, `30s`, `5m`, `1h`, `1d`, or combined: `1m30s`).
 * Unlike the YAML format a bare number is refused: `--timeout 30` is too easily meant as seconds.
 */
export function parseCliDuration(value: string): number {
  const trimmed = value.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) {
    throw new InvalidArgumentError(`invalid duration "${value}": use a number with a unit, e.g. 30s, 5m, 1h`);
  }
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return Math.round(total);
}

/** A positive whole number, for `--limit`. */
export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  }
  return Number(value);
}
