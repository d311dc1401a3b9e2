import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Task } from '@flowctl/api-contract';
import { buildDag } from '../graph/dag-model';
import { placeholderTask } from '../model/run-state';
import { DagView } from './dag-view';

const task = (name: string, status: Task['status']): Task => ({ ...placeholderTask(name), type: 'noop', status });

describe('DagView', () => {
  it('draws a node per task coloured by its status, and reports clicks', async () => {
    const model = buildDag({
      definition: [
        { name: 'extract', type: 'noop' },
        { name: 'load', type: 'sleep', dependsOn: ['extract'] },
      ],
      tasks: new Map([
        ['extract', task('extract', 'succeeded')],
        ['load', task('load', 'running')],
      ]),
    });
    const onSelect = vi.fn();
    const { container } = render(
      <div style={{ width: 800, height: 400 }}>
        <DagView model={model} onSelect={onSelect} height={400} />
      </div>,
    );
    const load = await vi.waitFor(() => {
      const found = container.querySelector('[data-task="load"]');
      if (!found) throw new Error('not drawn yet');
      return found as HTMLElement;
    });
    expect(load.dataset.status).toBe('running');
    expect(load.getAttribute('style')).toContain('var(--status-running)');
    expect(container.querySelector('[data-task="extract"]')!.getAttribute('data-status')).toBe('succeeded');
    fireEvent.click(screen.getByText('load'));
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ kind: 'task', name: 'load' }));
  });

  it('draws a wide fan-out as one group node with its progress', async () => {
    const definition = [
      { name: 'start', type: 'noop' },
      ...Array.from({ length: 40 }, (_, i) => ({ name: `part-${i}`, type: 'noop', dependsOn: ['start'] })),
    ];
    const tasks = new Map(definition.map((d, i) => [d.name, task(d.name, i <= 30 ? 'succeeded' : 'running')]));
    const { container } = render(<DagView model={buildDag({ definition, tasks })} height={400} />);
    const group = await vi.waitFor(() => {
      const found = container.querySelector('[data-group]');
      if (!found) throw new Error('not drawn yet');
      return found as HTMLElement;
    });
    expect(group.dataset.group).toBe('part-* ×40');
    expect(group.dataset.status).toBe('running');
    expect(group.textContent).toContain('30/40 done');
  });
});
