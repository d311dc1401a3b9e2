import { RunEventRepository, RunRepository, TaskRunRepository, type RunEventRow, type TaskRunRow } from '@flowctl/persistence';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ServerSentEvents } from './server-sent-events';
import { eventView, runView, taskView } from './views';

/** Events are read in pages of this size, for the history and for each live delta. */
const EVENT_PAGE = 1_000;
/**
 * A live delta carries the fresh rows of the tasks it touched (outputs, errors)
 * when it touched at most this many; beyond that the client derives states
 * from the events and reads a task's row when someone opens it. This is what
 * keeps a 1,000-task fan-out from resending the run on every change.
 */
const TASK_ROWS_PER_DELTA = 25;
/** At most one delta per stream this often, however fast the run changes. */
const MIN_DELTA_INTERVAL_MS = 150;
/** A snapshot pages tasks like GET /runs/:id does, so a 10,000-task run is read in bounded queries. */
const TASK_PAGE = 1_000;

export interface RunStreamRepositories {
  dataSource: DataSource;
  runs: RunRepository;
  taskRuns: TaskRunRepository;
  events: RunEventRepository;
}

/**
 * The stream of one run, for one browser. On connect (and on reconnect, from
 * Last-Event-ID):
 *
 *   1. `history` frames: the events after the client's last id, oldest first,
 *      for the timeline; the client appends them and does not re-apply them;
 *   2. one `snapshot` frame: the run with every task (the shape of GET /runs/:id),
 *      read after the history, so it reflects at least the last history event;
 *   3. `events` frames, live: the new events, the run's fresh row and the rows of
 *      the tasks they touched (when few). Applying them in order to the snapshot
 *      converges on the stored state even when the snapshot already saw some.
 *
 * Every frame carries the id of its last event, so a dropped connection resumes
 * exactly where it stopped.
 */
export class RunEventStream {
  private readonly logger = new Logger(RunEventStream.name);
  private lastEventId: string;
  private ready = false;
  private busy = false;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private lastDeltaAt = 0;

  constructor(
    private readonly repositories: RunStreamRepositories,
    private readonly runId: string,
    private readonly sse: ServerSentEvents,
    resumeAfter: string | undefined,
  ) {
    this.lastEventId = resumeAfter ?? '0';
    sse.onClose(() => clearTimeout(this.timer));
  }

  /** Sends history and snapshot; changes notified meanwhile are sent right after. */
  async start(): Promise<void> {
    this.busy = true;
    try {
      for (;;) {
        const page = await this.readEvents();
        if (page.length > 0) this.sse.send('history', { events: page.map(eventView) }, this.lastEventId);
        if (page.length < EVENT_PAGE || !this.sse.isOpen) break;
      }
      await this.sendSnapshot();
      this.ready = true;
    } finally {
      this.busy = false;
    }
    if (this.dirty) this.notify();
  }

  /** A change of this run was committed (or the listener reconnected): send a delta soon. */
  notify(): void {
    this.dirty = true;
    if (!this.ready || this.busy || this.timer || !this.sse.isOpen) return;
    const wait = Math.max(0, this.lastDeltaAt + MIN_DELTA_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendDelta();
    }, wait);
  }

  private async sendDelta(): Promise<void> {
    this.busy = true;
    this.dirty = false;
    this.lastDeltaAt = Date.now();
    try {
      for (;;) {
        const page = await this.readEvents();
        if (page.length === 0 || !this.sse.isOpen) break;
        const run = await this.repositories.runs.find(this.repositories.dataSource, this.runId);
        if (!run) break;
        const touched = [...new Set(page.map((event) => event.task).filter((task): task is string => task !== null))];
        const tasks = touched.length <= TASK_ROWS_PER_DELTA ? await this.readTasks(touched) : [];
        this.sse.send('events', { run: runView(run), events: page.map(eventView), tasks: tasks.map(taskView) }, this.lastEventId);
        if (page.length < EVENT_PAGE) break;
      }
    } catch (error) {
      // A failed read must not kill the stream: the next notification retries from the same event id.
      this.logger.warn(`run ${this.runId}: could not send changes: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
    if (this.dirty) this.notify();
  }

  private async readEvents(): Promise<RunEventRow[]> {
    const page = await this.repositories.events.list(this.repositories.dataSource, this.runId, {
      afterId: this.lastEventId,
      limit: EVENT_PAGE,
    });
    const last = page[page.length - 1];
    if (last) this.lastEventId = String(last.id);
    return page;
  }

  private async readTasks(names: readonly string[]): Promise<TaskRunRow[]> {
    const rows = await Promise.all(names.map((name) => this.repositories.taskRuns.find(this.repositories.dataSource, this.runId, name)));
    return rows.filter((row): row is TaskRunRow => row !== undefined);
  }

  private async sendSnapshot(): Promise<void> {
    const { dataSource, runs, taskRuns } = this.repositories;
    const run = await runs.find(dataSource, this.runId);
    if (!run) return this.sse.close();
    const tasks: TaskRunRow[] = [];
    for (;;) {
      const page = await taskRuns.forRun(dataSource, run.id, { afterId: tasks[tasks.length - 1]?.id, limit: TASK_PAGE });
      tasks.push(...page);
      if (page.length < TASK_PAGE) break;
    }
    this.sse.send(
      'snapshot',
      { run: { ...runView(run), tasks: tasks.map(taskView), tasksNextCursor: null }, lastEventId: this.lastEventId },
      this.lastEventId,
    );
  }
}
