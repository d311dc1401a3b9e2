import { useMemo, useState } from 'react';
import type { Run, RunEvent, Task } from '@flowctl/api-contract';
import { attemptsByTask, type Attempt } from '../model/attempts';
import { formatDuration } from '../model/time-format';
import { statusStyle } from './status-badge';

const ROW = 22;
const VISIBLE_ROWS = 14;
const OVERSCAN = 6;

export interface TimelineRow {
  task: string;
  attempts: Attempt[];
  start: number;
}

/** One row per task that was ever queued, in the order they first were, with every attempt on it. */
export function timelineRows(events: readonly RunEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const [task, attempts] of attemptsByTask(events)) {
    const first = attempts[0];
    const start = Date.parse(first?.queuedAt ?? first?.startedAt ?? '');
    if (Number.isNaN(start)) continue;
    rows.push({ task, attempts, start });
  }
  return rows.sort((a, b) => a.start - b.start || a.task.localeCompare(b.task));
}

/** Tick spacing of 1, 2 or 5 times a power of ten (of ms, s, min), about `count` ticks over the range. */
export function tickStep(rangeMs: number, count = 6): number {
  const raw = Math.max(rangeMs / count, 1);
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
    3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
  ];
  return steps.find((step) => step >= raw) ?? 86_400_000 * Math.ceil(raw / 86_400_000);
}

/** Axis labels: whole units where the step allows (2s, not 2.00s). */
export function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1_000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}

const OUTCOME_STATUS: Record<Attempt['outcome'], 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped'> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

export interface TimelineProps {
  run: Pick<Run, 'createdAt' | 'finishedAt'>;
  events: readonly RunEvent[];
  tasks: ReadonlyMap<string, Task>;
  now: number;
  selected?: string;
  onSelect?: (task: string) => void;
}

/**
 * A Gantt of attempts: the faint part of a bar is time on the queue, the solid
 * part is time on a worker, coloured by how the attempt ended; the gap between
 * two attempts is the retry backoff. Only the rows in view are drawn, so a
 * 1,000-task run scrolls as lightly as a 10-task one.
 */
export function Timeline({ run, events, tasks, now, selected, onSelect }: TimelineProps) {
  const rows = useMemo(() => timelineRows(events), [events]);
  const [scrollTop, setScrollTop] = useState(0);
  const start = Date.parse(run.createdAt);
  const end = Math.max(run.finishedAt ? Date.parse(run.finishedAt) : now, start + 1_000);
  const range = end - start;
  const at = (iso: string | undefined, fallback: number) => ((iso ? Date.parse(iso) : fallback) - start) / range;
  const step = tickStep(range);
  const ticks: number[] = [];
  for (let t = 0; t <= range; t += step) ticks.push(t);

  if (rows.length === 0) {
    return <div className="timeline-empty muted">No task has been queued yet. Attempts appear here as they run.</div>;
  }

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + VISIBLE_ROWS * ROW) / ROW) + OVERSCAN);
  const pct = (fraction: number) => `${Math.min(100, Math.max(0, fraction * 100))}%`;

  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-axis">
        <div className="timeline-label-col">{rows.length} tasks</div>
        <div className="timeline-track">
          {ticks.map((tick) => (
            <span key={tick} className="timeline-tick" style={{ left: pct(tick / range) }}>
              +{tickLabel(tick)}
            </span>
          ))}
        </div>
      </div>
      <div
        className="timeline-body"
        style={{ height: Math.min(rows.length, VISIBLE_ROWS) * ROW }}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            // A task the run does not hold (an instance of a counted fan-out) shows how its last attempt went.
            const status = tasks.get(row.task)?.status ?? OUTCOME_STATUS[row.attempts[row.attempts.length - 1]?.outcome ?? 'queued'];
            return (
              <div
                key={row.task}
                className={`timeline-row${row.task === selected ? ' selected' : ''}`}
                style={{ top: (first + i) * ROW, height: ROW }}
                onClick={() => onSelect?.(row.task)}
              >
                <div className="timeline-label-col" title={row.task}>
                  <span className="status-dot" style={statusStyle(status)} aria-hidden="true" />
                  {row.task}
                </div>
                <div className="timeline-track">
                  {ticks.map((tick) => (
                    <span key={tick} className="timeline-grid" style={{ left: pct(tick / range) }} />
                  ))}
                  {row.attempts.map((attempt) => {
                    const queued = at(attempt.queuedAt ?? attempt.startedAt, now);
                    const started = attempt.startedAt ? at(attempt.startedAt, now) : undefined;
                    const finished = at(attempt.finishedAt, now);
                    const outcome = OUTCOME_STATUS[attempt.outcome];
                    const ran = attempt.startedAt
                      ? Date.parse(attempt.finishedAt ?? new Date(now).toISOString()) - Date.parse(attempt.startedAt)
                      : 0;
                    const title = `${row.task} · attempt ${attempt.attempt}: ${attempt.outcome}${attempt.startedAt ? ` after ${formatDuration(ran)}` : ''}${attempt.workerId ? ` on ${attempt.workerId}` : ''}`;
                    return (
                      <span key={attempt.attempt} title={title}>
                        <span
                          className="timeline-bar waiting"
                          style={{ left: pct(queued), width: pct((started ?? finished) - queued), ...statusStyle('queued') }}
                        />
                        {started !== undefined && (
                          <span
                            className={`timeline-bar${attempt.outcome === 'running' ? ' active' : ''}`}
                            data-outcome={attempt.outcome}
                            style={{ left: pct(started), width: `max(2px, ${pct(finished - started)})`, ...statusStyle(outcome) }}
                          />
                        )}
                      </span>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
