import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@flowctl/api-contract';
import { tickLabel, tickStep, Timeline, timelineRows } from './timeline';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
let id = 0;
const ev = (type: string, task: string, attempt: number, ms: number): RunEvent => ({
  id: String(++id),
  type: type as RunEvent['type'],
  task,
  attempt,
  at: at(ms),
  details: null,
});

function runOf(tasks: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (let i = 0; i < tasks; i++) {
    const name = `t-${String(i).padStart(4, '0')}`;
    events.push(ev('task_queued', name, 1, i * 10), ev('task_started', name, 1, i * 10 + 5), ev('task_succeeded', name, 1, i * 10 + 50));
  }
  return events;
}

describe('the timeline', () => {
  it('orders rows by when each task was first queued, with every attempt on its row', () => {
    const rows = timelineRows([
      ev('task_queued', 'late', 1, 500),
      ev('task_queued', 'early', 1, 100),
      ev('task_started', 'early', 1, 120),
      ev('task_failed', 'early', 1, 200),
      ev('task_queued', 'early', 2, 300),
    ]);
    expect(rows.map((r) => [r.task, r.attempts.map((a) => a.outcome)])).toEqual([
      ['early', ['failed', 'queued']],
      ['late', ['queued']],
    ]);
  });

  it('picks round tick steps and labels', () => {
    expect(tickStep(1_000)).toBe(200);
    expect(tickStep(60_000)).toBe(10_000);
    expect(tickLabel(2_000)).toBe('2s');
    expect(tickLabel(90_000)).toBe('1.5m');
  });

  it('draws only the rows in view of a 1,000-task run', () => {
    const events = runOf(1_000);
    const { container } = render(
      <Timeline run={{ createdAt: at(0), finishedAt: at(10_100) }} events={events} tasks={new Map()} now={Date.parse(at(10_100))} />,
    );
    const rows = container.querySelectorAll('.timeline-row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(container.querySelector('[data-outcome=succeeded]')).toBeTruthy();
  });

  it('says what will appear when nothing has run yet', () => {
    const { container } = render(<Timeline run={{ createdAt: at(0), finishedAt: null }} events={[]} tasks={new Map()} now={0} />);
    expect(container.textContent).toContain('No task has been queued yet');
  });
});
