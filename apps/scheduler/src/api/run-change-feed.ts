import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { RUN_EVENTS_CHANNEL } from '@flowctl/core';
import { RunRepository, type RunRow } from '@flowctl/persistence';
import { NotificationListener } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';

/** Called with the run that changed; `undefined` after the listener reconnected (anything may have changed). */
export type RunChangeListener = (runId: string | undefined) => void;
/** Called with the fresh rows of the runs that changed in the last batch, or 'resync' after a reconnect. */
export type RunSummaryListener = (runs: RunRow[] | 'resync') => void;

/**
 * Runs-list subscribers get changes in batches this far apart: a busy cluster
 * notifies hundreds of times a second, and one `findMany` per batch serves
 * every open runs list at once.
 */
const SUMMARY_BATCH_MS = 250;
const START_RETRY_MS = 2_000;

/**
 * The one LISTEN on `flowctl_run_events` per scheduler process. Every engine
 * transaction notifies the ids of the runs it changed at commit; this feed fans
 * them out to the open dashboard streams, so a hundred browsers cost one
 * PostgreSQL connection, not a hundred.
 */
@Injectable()
export class RunChangeFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunChangeFeed.name);
  private readonly byRun = new Map<string, Set<RunChangeListener>>();
  private readonly summaries = new Set<RunSummaryListener>();
  private readonly open = new Set<{ close(): void }>();
  private readonly dirtyRuns = new Set<string>();
  private listener?: NotificationListener;
  private summaryTimer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  private async start(): Promise<void> {
    const listener = new NotificationListener(
      this.config.databaseUrl,
      RUN_EVENTS_CHANNEL,
      (payload) => this.onRunChanged(payload || undefined),
      () => this.onRunChanged(undefined),
    );
    try {
      await listener.start();
      this.listener = listener;
    } catch (error) {
      // The API works without live updates; keep trying in the background rather than fail the start.
      this.logger.warn(`cannot LISTEN for run changes yet (${(error as Error).message}); retrying`);
      if (!this.stopped) this.startTimer = setTimeout(() => void this.start(), START_RETRY_MS);
    }
  }

  /** Ends every open stream first: an open SSE response would keep the HTTP server from closing. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    clearTimeout(this.summaryTimer);
    for (const stream of [...this.open]) stream.close();
    this.open.clear();
    await this.listener?.stop();
  }

  get isShuttingDown(): boolean {
    return this.stopped;
  }

  /** Streams registered here are closed when the scheduler shuts down. */
  track(stream: { close(): void; onClose(handler: () => void): void }): void {
    this.open.add(stream);
    stream.onClose(() => this.open.delete(stream));
  }

  subscribeRun(runId: string, listener: RunChangeListener): () => void {
    let listeners = this.byRun.get(runId);
    if (!listeners) this.byRun.set(runId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.byRun.delete(runId);
    };
  }

  subscribeSummaries(listener: RunSummaryListener): () => void {
    this.summaries.add(listener);
    return () => this.summaries.delete(listener);
  }

  get subscriberCount(): number {
    let count = this.summaries.size;
    for (const listeners of this.byRun.values()) count += listeners.size;
    return count;
  }

  /** What the listener calls for each notification: a run id, or undefined after it reconnected. */
  onRunChanged(runId: string | undefined): void {
    if (runId === undefined) {
      for (const listeners of this.byRun.values()) for (const listener of listeners) listener(undefined);
      for (const listener of this.summaries) listener('resync');
      return;
    }
    const listeners = this.byRun.get(runId);
    if (listeners) for (const listener of listeners) listener(runId);
    if (this.summaries.size > 0) {
      this.dirtyRuns.add(runId);
      this.summaryTimer ??= setTimeout(() => void this.flushSummaries(), SUMMARY_BATCH_MS);
    }
  }

  private async flushSummaries(): Promise<void> {
    const ids = [...this.dirtyRuns];
    this.dirtyRuns.clear();
    try {
      if (ids.length > 0 && this.summaries.size > 0) {
        const rows = await this.runs.findMany(this.dataSource, ids);
        for (const listener of this.summaries) listener(rows);
      }
    } catch (error) {
      this.logger.warn(`could not read changed runs: ${(error as Error).message}`);
      for (const listener of this.summaries) listener('resync');
    } finally {
      this.summaryTimer = undefined;
      if (this.dirtyRuns.size > 0 && !this.stopped) this.summaryTimer = setTimeout(() => void this.flushSummaries(), SUMMARY_BATCH_MS);
    }
  }
}
