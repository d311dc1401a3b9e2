import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TASK_STATUSES, RUN_STATUSES } from '@flowctl/api-contract';
import { StatusBadge } from '../components/status-badge';
import { aggregateStatus, applyStatusPalette, isTerminalRun, isTerminalTask, STATUS_COLORS, STATUS_LABELS, statusColor } from './status';

describe('status colours', () => {
  it('gives every task and run status a colour in both themes, and a label', () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const status of [...TASK_STATUSES, ...RUN_STATUSES, 'not_run' as const]) {
        expect(statusColor(status, theme)).toMatch(/^#[0-9a-f]{6}$/);
        expect(STATUS_LABELS[status]).toBeTruthy();
      }
    }
  });

  it('keeps the states people must tell apart in different colours', () => {
    for (const theme of ['light', 'dark'] as const) {
      const colors = ['running', 'succeeded', 'failed', 'dead', 'retrying', 'queued', 'cancelled'].map(
        (s) => STATUS_COLORS[theme][s as 'running'],
      );
      expect(new Set(colors).size).toBe(colors.length);
    }
  });

  it('writes the palette as CSS variables for the stylesheet', () => {
    const element = document.createElement('div');
    applyStatusPalette('dark', element);
    expect(element.style.getPropertyValue('--status-failed')).toBe(STATUS_COLORS.dark.failed);
    applyStatusPalette('light', element);
    expect(element.style.getPropertyValue('--status-failed')).toBe(STATUS_COLORS.light.failed);
  });

  it('shows a badge with the word, coloured through the status variable', () => {
    render(<StatusBadge status="timed_out" />);
    const badge = screen.getByText('timed out');
    expect(badge.dataset.status).toBe('timed_out');
    expect(badge.getAttribute('style')).toContain('var(--status-timed_out)');
  });

  it('tells terminal states from the others', () => {
    expect(TASK_STATUSES.filter(isTerminalTask)).toEqual(['succeeded', 'failed', 'skipped', 'cancelled', 'dead']);
    expect(RUN_STATUSES.filter(isTerminalRun)).toEqual(['succeeded', 'failed', 'cancelled', 'timed_out']);
  });
});

describe('aggregateStatus', () => {
  it('shows a failure in a group before anything else', () => {
    expect(aggregateStatus({ succeeded: 99, running: 5, failed: 1 })).toBe('failed');
    expect(aggregateStatus({ succeeded: 99, dead: 1 })).toBe('dead');
  });

  it('shows motion while members run, and the finished state once all ended', () => {
    expect(aggregateStatus({ succeeded: 3, queued: 2 })).toBe('queued');
    expect(aggregateStatus({ succeeded: 3, pending: 2 })).toBe('running');
    expect(aggregateStatus({ pending: 5 })).toBe('pending');
    expect(aggregateStatus({ succeeded: 5 })).toBe('succeeded');
    expect(aggregateStatus({ succeeded: 2, skipped: 3 })).toBe('succeeded');
    expect(aggregateStatus({ skipped: 3 })).toBe('skipped');
    expect(aggregateStatus({})).toBe('pending');
  });
});
