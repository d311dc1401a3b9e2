import { useMemo } from 'react';
import { foldUnchanged, lineDiff } from '../model/line-diff';

/** A unified diff of two texts: removed lines red, added green, long unchanged stretches folded. */
export function DiffView({
  before,
  after,
  beforeLabel,
  afterLabel,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const diff = useMemo(() => lineDiff(before, after), [before, after]);
  const rows = useMemo(() => foldUnchanged(diff.lines), [diff]);
  return (
    <div className="diff" data-testid="diff">
      <div className="diff-summary">
        <span>
          {beforeLabel} → {afterLabel}
        </span>
        <span className="diff-added">+{diff.added}</span>
        <span className="diff-removed">−{diff.removed}</span>
      </div>
      {diff.added === 0 && diff.removed === 0 ? (
        <div className="muted diff-same">The two versions have the same text.</div>
      ) : (
        <pre className="code-block diff-body" tabIndex={0}>
          {rows.map((row, i) =>
            row.kind === 'gap' ? (
              <span key={i} className="diff-line gap">
                ⋯ {row.hidden} unchanged line{row.hidden === 1 ? '' : 's'}
              </span>
            ) : (
              <span key={i} className={`diff-line ${row.kind}`} data-kind={row.kind}>
                <span className="line-number">{row.oldNumber ?? ''}</span>
                <span className="line-number">{row.newNumber ?? ''}</span>
                <span className="diff-sign">{row.kind === 'added' ? '+' : row.kind === 'removed' ? '−' : ' '}</span>
                {row.text || ' '}
              </span>
            ),
          )}
        </pre>
      )}
    </div>
  );
}
