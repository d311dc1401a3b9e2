/** Keyset paging: the way back is the list of cursors that led here. */
export function Pager({
  hasPrevious,
  nextCursor,
  onPrevious,
  onNext,
  page,
}: {
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  page: number;
}) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button small" disabled={!hasPrevious} onClick={onPrevious}>
        ← Newer
      </button>
      <span className="muted small">Page {page}</span>
      <button type="button" className="button small" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Older →
      </button>
    </nav>
  );
}
