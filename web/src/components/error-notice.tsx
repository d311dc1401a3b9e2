import type { ApiError } from '../api/client';

export function ErrorNotice({ error, onRetry, title }: { error: ApiError | Error; onRetry?: () => void; title?: string }) {
  return (
    <div className="error-notice" role="alert">
      <div>
        {title && <strong>{title}: </strong>}
        {error.message}
      </div>
      {onRetry && (
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
