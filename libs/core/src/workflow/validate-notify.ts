import { field, readEnum, readList, readMapping, readRequired, readString } from './document-fields';
import { indexPath, keyPath } from './issue-path';
import type { IssueList } from './issue-list';
import { SECRET_NAME_PATTERN } from './validate-templates';
import { NOTIFY_EVENTS, NOTIFY_FORMATS, type NotifyDefinition, type NotifyEvent, type WebhookDefinition } from './workflow-definition';

export const NOTIFY_FIELDS = ['on', 'webhook'] as const;
export const WEBHOOK_FIELDS = ['url', 'secret', 'format'] as const;
/** Each entry costs a delivery per run end: a long list is a mistake, not a need. */
export const MAX_NOTIFY_ENTRIES = 10;
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** `spec.notify`: where to tell that a run ended (or a task was dead-lettered). Absent or empty means nowhere. */
export function readNotify(value: unknown, path: string, issues: IssueList): NotifyDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = readList(value, path, issues);
  if (!list) return undefined;
  if (list.length > MAX_NOTIFY_ENTRIES) issues.add(path, `has ${list.length} entries; at most ${MAX_NOTIFY_ENTRIES} are allowed`);
  const entries = list.slice(0, MAX_NOTIFY_ENTRIES).flatMap((entry, index) => {
    const read = readEntry(entry, indexPath(path, index), issues);
    return read ? [read] : [];
  });
  return entries.length > 0 ? entries : undefined;
}

function readEntry(value: unknown, path: string, issues: IssueList): NotifyDefinition | undefined {
  const mapping = readMapping(value, path, issues, NOTIFY_FIELDS);
  if (!mapping) return undefined;
  const on = readEvents(readRequired(mapping, 'on', path, issues), keyPath(path, 'on'), issues);
  const webhookValue = readRequired(mapping, 'webhook', path, issues);
  const webhook = webhookValue === undefined ? undefined : readWebhook(webhookValue, keyPath(path, 'webhook'), issues);
  if (!on || !webhook) return undefined;
  return { on, webhook };
}

function readEvents(value: unknown, path: string, issues: IssueList): NotifyEvent[] | undefined {
  if (value === undefined) return undefined;
  const list = readList(value, path, issues);
  if (!list) return undefined;
  if (list.length === 0) {
    issues.add(path, `must name at least one of ${NOTIFY_EVENTS.join(', ')}`);
    return undefined;
  }
  const events = list.map((event, index) => readEnum(event, indexPath(path, index), issues, NOTIFY_EVENTS));
  if (events.some((event) => event === undefined)) return undefined;
  return [...new Set(events as NotifyEvent[])];
}

function readWebhook(value: unknown, path: string, issues: IssueList): WebhookDefinition | undefined {
  const mapping = readMapping(value, path, issues, WEBHOOK_FIELDS);
  if (!mapping) return undefined;
  const urlValue = readRequired(mapping, 'url', path, issues);
  const url = urlValue === undefined ? undefined : readWebhookUrl(urlValue, keyPath(path, 'url'), issues);
  const secretValue = field(mapping, 'secret');
  const secret = secretValue === undefined || secretValue === null ? undefined : readString(secretValue, keyPath(path, 'secret'), issues);
  if (secret !== undefined && !SECRET_NAME_PATTERN.test(secret))
    issues.add(keyPath(path, 'secret'), `"${secret}" is not a secret name (letters, digits and _, not starting with a digit)`);
  const format = readEnum(field(mapping, 'format') ?? 'json', keyPath(path, 'format'), issues, NOTIFY_FORMATS);
  if (url === undefined || format === undefined || (secret !== undefined && !SECRET_NAME_PATTERN.test(secret))) return undefined;
  return { url, ...(secret !== undefined ? { secret } : {}), format };
}

/**
 * An absolute http(s) URL. Where it may lead (public addresses, or the
 * scheduler's allowlist) is checked when a delivery is sent, after DNS: a
 * name's addresses can change between apply and the run's end.
 */
function readWebhookUrl(value: unknown, path: string, issues: IssueList): string | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    issues.add(path, `is ${text.length} characters long; at most ${MAX_WEBHOOK_URL_LENGTH} are allowed`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    issues.add(path, `${JSON.stringify(text)} is not an absolute URL`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.add(path, `must be an http or https URL, not ${url.protocol.replace(/:$/, '')}`);
    return undefined;
  }
  if (url.username || url.password) {
    issues.add(path, 'must not carry a user name or password (sign deliveries with `secret` instead)');
    return undefined;
  }
  return text;
}
