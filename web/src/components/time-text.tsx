import { formatRelative, formatTimestamp } from '../model/time-format';

/** A time shown relative ("3m ago") with the exact local time on hover. */
export function TimeText({ iso, now }: { iso: string | null | undefined; now?: number }) {
  if (!iso) return <span className="muted">–</span>;
  return (
    <time dateTime={iso} title={formatTimestamp(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}
