import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { TASK_LOGS_CHANNEL } from '@flowctl/core';
import { NotificationListener } from '@flowctl/queue';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

/** Called when lines of the task run were stored, or with undefined after the listener reconnected. */
export type TaskLogListener = (taskRunId: string | undefined) => void;

const START_RETRY_MS = 2_000;

/**
 * The one LISTEN on `flowctl_task_logs` per scheduler process: each stored batch of log lines
 * notifies the task runs it wrote to, and this feed wakes the open log streams of those task runs.
 * No stream polls the table.
 */
@Injectable()
export class TaskLogFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskLogFeed.name);
  private readonly byTaskRun = new Map<string, Set<TaskLogListener>>();
  private listener?: NotificationListener;
  private startTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(@Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  private async start(): Promise<void> {
    const listener = new NotificationListener(
      this.config.databaseUrl,
      TASK_LOGS_CHANNEL,
      (payload) => this.notify(payload || undefined),
      () => this.notify(undefined),
    );
    try {
      await listener.start();
      this.listener = listener;
    } catch (error) {
      this.logger.warn(`cannot LISTEN for task logs yet (${(error as Error).message}); retrying`);
      if (!this.stopped) this.startTimer = setTimeout(() => void this.start(), START_RETRY_MS);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    await this.listener?.stop();
  }

  subscribe(taskRunId: string, listener: TaskLogListener): () => void {
    let listeners = this.byTaskRun.get(taskRunId);
    if (!listeners) this.byTaskRun.set(taskRunId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.byTaskRun.delete(taskRunId);
    };
  }

  /** A notification's payload: the ids of the task runs that got lines, comma-separated; undefined after a reconnect. */
  notify(payload: string | undefined): void {
    if (payload === undefined) {
      for (const listeners of this.byTaskRun.values()) for (const listener of listeners) listener(undefined);
      return;
    }
    if (this.byTaskRun.size === 0) return;
    for (const taskRunId of payload.split(',')) for (const listener of this.byTaskRun.get(taskRunId) ?? []) listener(taskRunId);
  }
}
