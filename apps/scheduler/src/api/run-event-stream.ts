import {
  inPgTransaction,
  poolOf,
  RunEventRepository,
  RunRepository,
  TaskRunViewRepository,
  type Queryable,
  type RunEventRow,
  type RunRow,
  type TaskRunRow,
} from '@flowctl/persistence';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { InstanceTally, type FanOutSummary } from './instance-tally';
import type { ServerSentEvents } from './server-sent-events';
import { eventView, runView, taskView } from './views';

/** Events are read in pages of this size for each live delta. */
const EVENT_PAGE = 1_000;
/**
 * On connect the history is the latest this many events, at most HISTORY_BYTES of them:
 * the timeline asks GET /runs/:id/events?before= for earlier ones when someone scrolls
 * back. A 100,000-task run has 300,000 events; sending them all took tens of MB.
 */
export const HISTORY_EVENTS = 1_000;
export const HISTORY_BYTES = 256 * 1024;
/**
 * forEach instances the snapshot sends as rows, over all the run's fan-outs (in task
 * order, a fan-out whole or not at all). A fan-out beyond that is sent as counts per
 * status, kept live by an InstanceTally; the group panel pages its instances through
 * GET /runs/:id/tasks/:name/instances.
 */
export const INLINE_INSTANCES = 1_000;
/** Inputs and outputs stored larger than this come as null with a flag, as in GET /runs/:id. */
const INLINE_VALUE_BYTES = 16 * 1024;
/**
 * A live delta carries the fresh rows of the tasks it touched (outputs, errors)
 * when it touched at most this many; beyond that the client derives states
 * from the events and reads a task's row when someone opens it. This is what
 * keeps a 1,000-task fan-out from resending the run on every change.
 */
const TASK_ROWS_PER_DELTA = 25;
/** At most one delta per stream this often, however fast the run changes. */
const MIN_DELTA_INTERVAL_MS = 150;
/**
 * Events of a counted fan-out's instances that live deltas leave out: the counts carry them, and a
 * 100,000-instance fan-out makes 300,000 of them. Its failures, retries and dead letters still come,
 * so the timeline shows the few that need a person; the history (`GET /runs/:id/events`) has them all.
 */
const ROUTINE_INSTANCE_EVENTS: ReadonlySet<string> = new Set([
  'task_queued',
  'task_started',
  'task_succeeded',
  'task_skipped',
  'task_cancelled',
]);

/**
 * The value cap of a page (INLINE_VALUE_BYTES) is on the stored size, after compression: a list of
 * 100,000 zeros is stored in a few kB and would still come inline, as 200 kB. The snapshot caps the
 * JSON it sends too; the task panel reads the whole row when it opens.
 */
function withinValueBound(task: TaskRunRow): TaskRunRow {
  const tooLarge = (value: unknown) => value !== null && value !== undefined && JSON.stringify(value).length > INLINE_VALUE_BYTES;
  const input = tooLarge(task.input);
  const output = tooLarge(task.output);
  if (!input && !output) return task;
  return {
    ...task,
    ...(input ? { input: null, inputTruncated: true } : {}),
    ...(output ? { output: null, outputTruncated: true } : {}),
  };
}

export interface RunStreamRepositories {
  dataSource: DataSource;
  runs: RunRepository;
  taskRuns: TaskRunViewRepository;
  events: RunEventRepository;
}

interface Snapshot {
  run: RunRow;
  tasks: TaskRunRow[];
  lastEventId: string;
}

/**
 * The stream of one run, for one browser. On connect (and on reconnect, from
 * Last-Event-ID):
 *
 *   1. one `history` frame: the events after the client's last id up to the
 *      snapshot's, oldest first, for the timeline; at most HISTORY_EVENTS of the
 *      latest. When older ones were left out it says `reset` (the client drops
 *      what it had: there would be a gap) and `earlierBefore`, the id to page
 *      back from; a complete history of a fresh connect says `earlierBefore: null`;
 *   2. one `snapshot` frame: the run with its own tasks and the instances of its
 *      small fan-outs, `fanOuts` (counts per status of every larger fan-out), and
 *      `lastEventId`: all of it read in one REPEATABLE READ transaction, so it is
 *      the state after exactly that event;
 *   3. `events` frames, live: the events after it, the run's fresh row, the rows of
 *      the tasks they touched (when few) and the new counts of the large fan-outs
 *      they touched. Applied in order to the snapshot they give the stored state.
 *
 * Every frame carries the id of its last event, so a dropped connection resumes
 * exactly where it stopped. The connect payload is bounded whatever the run's size.
 */
export class RunEventStream {
  private readonly logger = new Logger(RunEventStream.name);
  private readonly tally = new InstanceTally();
  /** Instances of fan-outs sent as rows so far (the rest are tallied). */
  private inlineInstances = 0;
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
    private readonly resumeAfter: string | undefined,
  ) {
    this.lastEventId = resumeAfter ?? '0';
    sse.onClose(() => clearTimeout(this.timer));
  }

  /** Sends history and snapshot; changes notified meanwhile are sent right after. */
  async start(): Promise<void> {
    this.busy = true;
    try {
      const snapshot = await this.readSnapshot();
      if (!snapshot) return this.sse.close();
      await this.sendHistory(snapshot.lastEventId);
      this.sse.send(
        'snapshot',
        {
          run: { ...runView(snapshot.run), tasks: snapshot.tasks.map((task) => taskView(withinValueBound(task))), tasksNextCursor: null },
          lastEventId: snapshot.lastEventId,
          fanOuts: this.tally.summaries(),
        },
        snapshot.lastEventId,
      );
      this.lastEventId = snapshot.lastEventId;
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

  /**
   * The run, its own tasks, the small fan-outs' instances and the large ones' statuses, and the
   * id of the last event, as of one moment: the engine writes a change and its event in one
   * transaction, so in a REPEATABLE READ snapshot they agree, and counting on from the events
   * after that id stays exact.
   */
  private async readSnapshot(): Promise<Snapshot | undefined> {
    const { dataSource, runs, taskRuns, events } = this.repositories;
    return inPgTransaction(poolOf(dataSource), async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const run = await runs.find(tx, this.runId);
      if (!run) return undefined;
      const lastEventId = await events.lastId(tx, this.runId);
      const tasks = await taskRuns.plainTasks(tx, this.runId, { maxValueBytes: INLINE_VALUE_BYTES });
      const instances: TaskRunRow[] = [];
      for (const task of tasks) {
        const total = task.instancesTotal ?? 0;
        if (total === 0) continue;
        if (this.inlineInstances + total <= INLINE_INSTANCES) {
          this.inlineInstances += total;
          instances.push(...(await taskRuns.instancePage(tx, task.id, { limit: total, maxValueBytes: INLINE_VALUE_BYTES })));
        } else {
          this.tally.trackLetters(task.name, await taskRuns.instanceStatusLetters(tx, task.id));
        }
      }
      return { run, tasks: [...tasks, ...instances], lastEventId };
    });
  }

  /** The events in (resumeAfter, upTo], the latest of them within the history's bounds. */
  private async sendHistory(upTo: string): Promise<void> {
    const { dataSource, events } = this.repositories;
    const newestFirst = await events.latest(dataSource, this.runId, {
      afterId: this.resumeAfter,
      beforeId: String(BigInt(upTo) + 1n),
      limit: HISTORY_EVENTS + 1,
    });
    const kept: ReturnType<typeof eventView>[] = [];
    let bytes = 0;
    for (const event of newestFirst.slice(0, HISTORY_EVENTS)) {
      const view = eventView(event);
      bytes += JSON.stringify(view).length;
      if (bytes > HISTORY_BYTES) break;
      kept.push(view);
    }
    const cut = kept.length < newestFirst.length;
    kept.reverse();
    if (kept.length === 0 && !cut) return;
    const earlierBefore = cut ? (kept[0]?.id ?? String(BigInt(upTo) + 1n)) : null;
    // A resumed client that missed nothing keeps its history; a cut one must drop it, or it would show a gap.
    const frame = cut
      ? { events: kept, reset: true, earlierBefore }
      : this.resumeAfter === undefined
        ? { events: kept, earlierBefore }
        : { events: kept };
    this.sse.send('history', frame, upTo);
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
        const rowsWanted = touched.filter((name) => !this.tally.isTrackedInstance(name));
        const rows = rowsWanted.length <= TASK_ROWS_PER_DELTA ? await this.readTasks(rowsWanted) : [];
        // Only once every read succeeded: the tally must see each event exactly once.
        const fanOuts = this.countEvents(page);
        // The instances of a fan-out that expanded in this page travel as its counts.
        const tasks = rows.filter((row) => !this.tally.isTrackedInstance(row.name));
        const shown = page.filter(
          (event) => !(event.task && ROUTINE_INSTANCE_EVENTS.has(event.type) && this.tally.isTrackedInstance(event.task)),
        );
        // The frame's id is the page's last event whether or not it is shown: a resumed stream goes on after it.
        const last = String(page[page.length - 1]!.id);
        // A run's inputs never change once it is created: the snapshot carried them, a delta need not (they
        // may be the whole list a fan-out runs over, resent every 150 ms).
        const { inputs: _inputs, ...runChanges } = runView(run);
        this.sse.send(
          'events',
          { run: runChanges, events: shown.map(eventView), tasks: tasks.map(taskView), ...(fanOuts.length > 0 ? { fanOuts } : {}) },
          last,
        );
        this.lastEventId = last;
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

  /**
   * Starts tallying fan-outs that expand in these events past the inline budget, applies the
   * events to every tally, and answers the counts of the fan-outs they changed.
   */
  private countEvents(page: readonly RunEventRow[]): FanOutSummary[] {
    const started = new Set<string>();
    for (const event of page) {
      const items = (event.details as { forEach?: unknown } | null)?.forEach;
      if (event.type !== 'task_started' || !event.task || typeof items !== 'number' || items === 0) continue;
      if (this.tally.isTracked(event.task) || this.tally.isTrackedInstance(event.task)) continue;
      if (this.inlineInstances + items <= INLINE_INSTANCES) this.inlineInstances += items;
      else {
        this.tally.trackNew(event.task, items);
        started.add(event.task);
      }
    }
    const changed = this.tally.apply(page);
    return this.tally.summaries(new Set([...started, ...changed]));
  }

  private async readEvents(): Promise<RunEventRow[]> {
    return this.repositories.events.list(this.repositories.dataSource, this.runId, { afterId: this.lastEventId, limit: EVENT_PAGE });
  }

  private async readTasks(names: readonly string[]): Promise<TaskRunRow[]> {
    const db: Queryable = this.repositories.dataSource;
    const rows = await Promise.all(names.map((name) => this.repositories.taskRuns.find(db, this.runId, name)));
    return rows.filter((row): row is TaskRunRow => row !== undefined);
  }
}
