import type { CSSProperties } from 'react';
import { STATUS_LABELS, type AnyStatus } from '../model/status';

export const statusStyle = (status: AnyStatus): CSSProperties => ({ '--c': `var(--status-${status})` }) as CSSProperties;

/** A status as a coloured dot and its word: colour is never the only signal. */
export function StatusBadge({ status, compact = false }: { status: AnyStatus; compact?: boolean }) {
  return (
    <span className={`status-badge${compact ? ' compact' : ''}`} data-status={status} style={statusStyle(status)}>
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}
