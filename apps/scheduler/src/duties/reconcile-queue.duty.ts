import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { hasQueueJob } from '@flowctl/core';
import { RunRepository, TaskRunRepository, TaskRunTimerRepository, type TaskRunRow } from '@flowctl/persistence';
import { QueueTransport, taskJobId, taskQueueName } from '@flowctl/queue';
import { DataSource } from 'typeorm';
import { SCHEDULER_CONFIG, type SchedulerConfig } from '../config/scheduler-config';
import { TaskDispatcher } from '../engine/task-dispatcher';
import { dispatchOfRow, type DispatchItem } from '../engine/unit-of-work';
import { LeaderLease } from './leader-lease';
import { stillLost } from './still-lost';

/** Younger tasks may simply not have been enqueued yet by the transaction that queued them (capped by the interval, FLOWCTL_RECONCILE_INTERVAL). */
const GRACE_MS = 10_000;
const PAGE = 500;

/**
 * Leader duty: PostgreSQL is the truth and the queue only a transport. Every
 * task PostgreSQL says is queued or running must have its job; one that does
 * not (Redis restarted empty, FLUSHALL, a crash between commit and enqueue) is
 * enqueued again under the same job id.
 */
@Injectable()
export class ReconcileQueueDuty implements OnModuleDestroy {
  private readonly logger = new Logger(ReconcileQueueDuty.name);
  private timer?: NodeJS.Timeout;
  private active = false;
  private readonly everyMs: number;
  private readonly graceMs: number;
  /** How long a pass waits for earlier reports to be applied before leaving its suspects to the next pass. */
  private readonly settleWaitMs: number;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    private readonly dataSource: DataSource,
    private readonly taskRuns: TaskRunRepository,
    private readonly timers: TaskRunTimerRepository,
    private readonly runs: RunRepository,
    private readonly transport: QueueTransport,
    private readonly dispatcher: TaskDispatcher,
    lease: LeaderLease,
  ) {
    this.everyMs = config.reconcileIntervalMs;
    this.graceMs = Math.min(GRACE_MS, config.reconcileIntervalMs);
    this.settleWaitMs = config.reconcileIntervalMs;
    lease.onLeadershipChange({
      elected: () => {
        this.active = true;
        this.schedule(this.graceMs);
      },
      deposed: () => {
        this.active = false;
        clearTimeout(this.timer);
      },
    });
  }

  onModuleDestroy(): void {
    this.active = false;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reconcile().finally(() => this.active && this.schedule(this.everyMs)), delayMs);
  }

  /**
   * Of these tasks (of one type), those whose job is gone from the queue. A job
   * BullMQ failed itself (stalled too often: the workers holding it died before a
   * start reached PostgreSQL) for an attempt still queued never gets the attempt
   * done: it is removed, so the attempt can be sent again under its id.
   */
  private async withoutLiveJob(type: string, tasks: readonly TaskRunRow[]): Promise<TaskRunRow[]> {
    const name = taskQueueName(type);
    const jobIds = tasks.map((task) => taskJobId(task.id, task.attempt));
    const outcomes = await this.transport.jobOutcomes(name, jobIds);
    const missing: TaskRunRow[] = [];
    for (const [index, task] of tasks.entries()) {
      const outcome = outcomes[index];
      if (outcome && (task.status !== 'queued' || !outcome.finishedOn || !outcome.failedReason)) continue;
      if (outcome) {
        this.logger.warn(
          `job ${jobIds[index]} failed in the queue (${outcome.failedReason}) while its attempt is queued; sending it again`,
        );
        if (!(await this.transport.removeJob(name, jobIds[index]!))) continue;
      }
      missing.push(task);
    }
    return missing;
  }

  /** Returns how many tasks it enqueued again. */
  async reconcile(): Promise<number> {
    let restored = 0;
    let afterId: string | undefined;
    try {
      const suspects: TaskRunRow[] = [];
      for (;;) {
        const page = await this.timers.inFlight(this.dataSource, {
          queuedBefore: new Date(Date.now() - this.graceMs),
          afterId,
          limit: PAGE,
        });
        if (page.length === 0) break;
        afterId = page[page.length - 1]!.id;
        const byType = new Map<string, TaskRunRow[]>();
        for (const task of page) {
          if (!hasQueueJob(task)) continue;
          const ofType = byType.get(task.type);
          if (ofType) ofType.push(task);
          else byType.set(task.type, [task]);
        }
        const missing = (await Promise.all([...byType].map(([type, tasks]) => this.withoutLiveJob(type, tasks)))).flat();
        suspects.push(...missing);
      }
      const lost = await stillLost(suspects, {
        results: this.transport.results(),
        findByIds: async (ids) =>
          (await Promise.all(chunks(ids, PAGE).map((page) => this.taskRuns.findByIds(this.dataSource, page)))).flat(),
        isActive: () => this.active,
        waitMs: this.settleWaitMs,
      });
      if (!lost)
        this.logger.log(`${suspects.length} task(s) without a job wait for the next pass: earlier reports are still being applied`);
      for (const page of chunks(lost ?? [], PAGE)) {
        const runs = new Map(
          (await this.runs.findMany(this.dataSource, [...new Set(page.map((t) => t.runId))])).map((run) => [run.id, run]),
        );
        const items: DispatchItem[] = [];
        for (const task of page) {
          const run = runs.get(task.runId);
          if (!run) continue;
          items.push(dispatchOfRow(run, task, task.attempt));
        }
        await this.dispatcher.dispatch(items);
        restored += items.length;
      }
      if (restored > 0) this.logger.warn(`re-enqueued ${restored} task(s) missing from the queues`);
    } catch (error) {
      this.logger.error(`queue reconciliation failed: ${(error as Error).message}`);
    }
    return restored;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
