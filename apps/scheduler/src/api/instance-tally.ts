import { TASK_STATUS_AFTER as STATUS_AFTER } from '@flowctl/api-contract';
import { TASK_STATUSES, type TaskStatus } from '@flowctl/core';

/** What a live view shows of a fan-out too large to send instance by instance. */
export interface FanOutSummary {
  /** The forEach task's name; its instances are `task[index]`. */
  task: string;
  total: number;
  /** Instances per status; a status no instance has is left out. */
  counts: Partial<Record<TaskStatus, number>>;
}

const INSTANCE = /^(.+)\[(\d+)\]$/;
const PENDING = TASK_STATUSES.indexOf('pending');

interface Tally {
  /** Each instance's status, as its place in TASK_STATUSES, by item index. */
  statuses: Uint8Array;
  counts: number[];
}

export interface TalliedEvent {
  type: string;
  task: string | null;
  details?: unknown;
}

/**
 * Per-status counts of the instances of large fan-outs, kept exact as events
 * arrive. An event names the status an instance moves to but not the one it
 * leaves, so the tally holds every instance's status (one byte each, 100 kB
 * for 100,000 instances) and moves one count per event. It starts from the
 * statuses stored at the snapshot, or from "all pending" for a fan-out that
 * expands after it (instances are created pending, each later change has an
 * event), and must see every event after that point exactly once, in order.
 */
export class InstanceTally {
  private readonly tallies = new Map<string, Tally>();

  /** Starts counting a fan-out from its instances' stored statuses (one letter each, 'A' + place in TASK_STATUSES). */
  trackLetters(task: string, letters: string): void {
    const statuses = new Uint8Array(letters.length);
    const counts = TASK_STATUSES.map(() => 0);
    for (let i = 0; i < letters.length; i++) {
      const code = letters.charCodeAt(i) - 65;
      const status = code >= 0 && code < TASK_STATUSES.length ? code : PENDING;
      statuses[i] = status;
      counts[status]! += 1;
    }
    this.tallies.set(task, { statuses, counts });
  }

  /** Starts counting a fan-out that has just expanded: every instance is pending. */
  trackNew(task: string, total: number): void {
    const counts = TASK_STATUSES.map(() => 0);
    counts[PENDING] = total;
    this.tallies.set(task, { statuses: new Uint8Array(total).fill(PENDING), counts });
  }

  isTracked(task: string): boolean {
    return this.tallies.has(task);
  }

  /** Whether `name` is an instance of a tracked fan-out (the stream sends its counts, not its row). */
  isTrackedInstance(name: string): boolean {
    const match = INSTANCE.exec(name);
    return match !== null && this.tallies.has(match[1]!);
  }

  /** Applies events in order; returns the fan-outs whose counts may have changed. */
  apply(events: readonly TalliedEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const event of events) {
      const status = STATUS_AFTER[event.type];
      const match = status && event.task ? INSTANCE.exec(event.task) : null;
      const tally = match ? this.tallies.get(match[1]!) : undefined;
      if (!tally) continue;
      const index = Number(match![2]);
      if (index >= tally.statuses.length) continue;
      const from = tally.statuses[index]!;
      const to = TASK_STATUSES.indexOf(status!);
      if (from === to) continue;
      tally.statuses[index] = to;
      tally.counts[from]! -= 1;
      tally.counts[to]! += 1;
      changed.add(match![1]!);
    }
    return changed;
  }

  summary(task: string): FanOutSummary | undefined {
    const tally = this.tallies.get(task);
    if (!tally) return undefined;
    const counts: Partial<Record<TaskStatus, number>> = {};
    tally.counts.forEach((count, i) => {
      if (count > 0) counts[TASK_STATUSES[i]!] = count;
    });
    return { task, total: tally.statuses.length, counts };
  }

  summaries(tasks: Iterable<string> = this.tallies.keys()): FanOutSummary[] {
    return [...tasks].map((task) => this.summary(task)).filter((summary): summary is FanOutSummary => summary !== undefined);
  }
}
