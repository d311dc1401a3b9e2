/** A JSON value, pretty-printed and selectable; `null`/absent shows as a quiet dash. */
export function JsonView({ value, empty = 'none', maxHeight }: { value: unknown; empty?: string; maxHeight?: number }) {
  if (value === undefined || value === null) return <div className="muted small">{empty}</div>;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="code-block" tabIndex={0} style={maxHeight ? { maxHeight } : undefined}>
      {text}
    </pre>
  );
}
