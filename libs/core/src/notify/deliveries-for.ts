import type { RunStatus } from '../run/states';
import { NOTIFY_EVENTS, type NotifyDefinition, type NotifyEvent, type NotifyFormat } from '../workflow/workflow-definition';

/** One webhook to call for one thing that happened to a run. */
export interface DeliveryIntent {
  event: NotifyEvent;
  url: string;
  secretName: string | null;
  format: NotifyFormat;
}

/** The webhooks of `spec.notify` that asked to hear of this run end (or of a dead letter): one delivery each. */
export function deliveriesFor(notify: readonly NotifyDefinition[] | undefined, happened: RunStatus | 'dead_letter'): DeliveryIntent[] {
  if (!notify || !(NOTIFY_EVENTS as readonly string[]).includes(happened)) return [];
  const event = happened as NotifyEvent;
  return notify
    .filter((entry) => entry.on.includes(event))
    .map((entry) => ({ event, url: entry.webhook.url, secretName: entry.webhook.secret ?? null, format: entry.webhook.format }));
}
