import type { RunStatus } from '../run/states';
import type { TaskFailure } from '../run/task-failure';
import type { NotifyEvent, NotifyFormat } from '../workflow/workflow-definition';

/** What a notification tells of a run: read when the delivery is first sent. */
export interface NotifiedRun {
  id: string;
  namespace: string;
  workflow: string;
  version: number;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the run ended so, when it says (a cancel reason, a timeout). */
  error: unknown;
  /** The failed (or dead) tasks and their errors, at most a few. */
  failedTasks: { name: string; status: string; error: TaskFailure | null }[];
  /** Outputs of the run's last tasks (those nothing depends on) that succeeded, by task name. */
  outputs: Record<string, unknown>;
  /** The run page of the dashboard, when the scheduler knows its address (FLOWCTL_DASHBOARD_URL). */
  url?: string;
}

export interface NotifiedDeadTask {
  task: string;
  type: string;
  attempt: number;
  error: TaskFailure | null;
}

/** flowctl's own JSON body (format `json`). */
export interface NotificationBody {
  /** `run.succeeded`, `run.failed`, `run.cancelled`, `run.timed_out` or `task.dead_letter`. */
  type: string;
  deliveryId: string;
  run: NotifiedRun;
  deadTask?: NotifiedDeadTask;
}

export const notificationType = (event: NotifyEvent): string => (event === 'dead_letter' ? 'task.dead_letter' : `run.${event}`);

export function notificationBody(deliveryId: string, event: NotifyEvent, run: NotifiedRun, deadTask?: NotifiedDeadTask): NotificationBody {
  return { type: notificationType(event), deliveryId, run, ...(deadTask ? { deadTask } : {}) };
}

const ICONS: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  timed_out: ':hourglass:',
};
/** Slack cuts a section's text at 3000 characters. */
const MAX_SECTION = 2900;

/** `{text, blocks}` as a Slack incoming webhook takes it: `text` is the fallback a notification shows. */
export function slackBody(body: NotificationBody): { text: string; blocks: unknown[] } {
  const { run, deadTask } = body;
  const name = `${run.namespace}/${run.workflow}`;
  const text = deadTask
    ? `:skull: Task ${deadTask.task} of ${name} run ${run.id} went to the dead-letter queue after ${deadTask.attempt} attempts`
    : `${ICONS[run.status] ?? ''} ${name} run ${run.id} ${run.status.replace('_', ' ')}`.trim();
  const details: string[] = [];
  if (deadTask?.error) details.push(`*${deadTask.task}*: ${deadTask.error.type}: ${deadTask.error.message}`);
  for (const task of deadTask ? [] : run.failedTasks) {
    details.push(`*${task.name}* ${task.status}${task.error ? `: ${task.error.type}: ${task.error.message}` : ''}`);
  }
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(text) } }];
  if (details.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(details.map(escapeSlack).join('\n')) } });
  const context = [`version ${run.version}`, run.finishedAt ? `finished ${run.finishedAt}` : `status ${run.status}`];
  blocks.push({ type: 'context', elements: context.map((item) => ({ type: 'mrkdwn', text: item })) });
  if (run.url) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open run' }, url: run.url }] });
  }
  return { text, blocks };
}

/** The body a delivery sends, as the text that is also signed. */
export function renderNotification(format: NotifyFormat, body: NotificationBody): string {
  return JSON.stringify(format === 'slack' ? slackBody(body) : body);
}

/** Slack reads &, < and > as markup: a task's error message must not become a link or a mention. */
const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const truncate = (text: string): string => (text.length > MAX_SECTION ? `${text.slice(0, MAX_SECTION)}…` : text);
