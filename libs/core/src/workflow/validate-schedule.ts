import { cronProblem } from './cron-expression';
import { neverFiresProblem } from './cron-ticks';
import { field, readEnum, readMapping, readRequired, readString } from './document-fields';
import { keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { OVERLAP_POLICIES, type ScheduleDefinition } from './workflow-definition';

export const SCHEDULE_FIELDS = ['cron', 'timezone', 'overlap'] as const;
export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_OVERLAP = 'forbid';

export function readSchedule(value: unknown, path: string, issues: IssueList): ScheduleDefinition | undefined {
  const mapping = readMapping(value, path, issues, SCHEDULE_FIELDS);
  if (!mapping) return undefined;
  const cronValue = readRequired(mapping, 'cron', path, issues);
  const cron = cronValue === undefined ? undefined : readString(cronValue, keyPath(path, 'cron'), issues);
  const problem = cron === undefined ? undefined : cronProblem(cron);
  if (problem) issues.add(keyPath(path, 'cron'), problem);
  const timezoneValue = field(mapping, 'timezone') ?? DEFAULT_TIMEZONE;
  const timezone = readString(timezoneValue, keyPath(path, 'timezone'), issues);
  if (timezone !== undefined && !isTimeZone(timezone))
    issues.add(keyPath(path, 'timezone'), `unknown time zone "${timezone}" (use an IANA name such as UTC or Europe/Berlin)`);
  const overlap = readEnum(field(mapping, 'overlap') ?? DEFAULT_OVERLAP, keyPath(path, 'overlap'), issues, OVERLAP_POLICIES);
  if (cron === undefined || problem || timezone === undefined || !isTimeZone(timezone) || !overlap) return undefined;
  const never = neverFiresProblem({ cron: cron.trim(), timezone });
  if (never) {
    issues.add(keyPath(path, 'cron'), never);
    return undefined;
  }
  return { cron: cron.trim(), timezone, overlap };
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
