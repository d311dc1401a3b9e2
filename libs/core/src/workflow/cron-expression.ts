/**
 * A syntax check of standard cron (5 fields, or 6 with seconds first): `*`,
 * numbers, names, ranges, steps and lists, each number within its field's
 * range. Extensions some schedulers accept (`L`, `W`, `#`, `?`) are refused, so
 * a schedule that passes apply is one the cron duty can run.
 */
interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

/** The problem with `cron`, or undefined when it is well-formed. */
export function cronProblem(cron: string): string | undefined {
  const trimmed = cron.trim();
  if (trimmed.startsWith('@')) {
    return (CRON_MACROS as readonly string[]).includes(trimmed)
      ? undefined
      : `unknown cron macro "${trimmed}" (use ${CRON_MACROS.join(', ')})`;
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return `a cron expression has 5 fields (or 6 with seconds), not ${parts.length}`;
  const fields = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (let i = 0; i < parts.length; i++) {
    const problem = fieldProblem(parts[i]!, fields[i]!);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) return `invalid ${field.name} field "${text}"`;
    const [, range, step] = match;
    if (step !== undefined && Number(step) === 0) return `invalid step "/0" in ${field.name} field "${text}"`;
    if (range === '*') continue;
    const bounds = range!.split('-').map((part) => valueOf(part, field));
    if (bounds.some((value) => value === undefined))
      return `${field.name} field "${text}" must use values from ${field.min} to ${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
    if (bounds.length === 2 && bounds[0]! > bounds[1]!) return `range "${range}" in ${field.name} field goes backwards`;
  }
  return undefined;
}

function valueOf(part: string, field: CronField): number | undefined {
  if (/^\d+$/.test(part)) {
    const value = Number(part);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  const index = field.names?.indexOf(part.toUpperCase()) ?? -1;
  if (index === -1) return undefined;
  return field.min === 1 ? index + 1 : index;
}
