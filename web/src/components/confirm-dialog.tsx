import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';

export interface ConfirmDialogProps<T> {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  /** Runs on confirm; a rejection keeps the dialog open and shows the API's message. */
  onConfirm: () => Promise<T>;
  onDone?: (result: T) => void;
  onClose: () => void;
  /** Disables the confirm button (a form inside that is not valid yet). */
  confirmDisabled?: boolean;
}

/**
 * Every action that changes something asks first. The request runs from here,
 * so a refusal (409: "run ... is succeeded; only a failed run can be retried")
 * is shown where the user asked, with the scheduler's own words.
 */
export function ConfirmDialog<T>({
  title,
  children,
  confirmLabel,
  tone = 'primary',
  onConfirm,
  onDone,
  onClose,
  confirmDisabled,
}: ConfirmDialogProps<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();

  useEffect(() => {
    confirmRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await onConfirm();
      onDone?.(result);
      onClose();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : ((failure as Error)?.message ?? String(failure)));
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && !busy && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        <div className="modal-body">{children}</div>
        {error && (
          <div className="error-notice" role="alert" data-testid="action-error">
            {error}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            ref={confirmRef}
            type="button"
            className={`button ${tone}`}
            onClick={() => void confirm()}
            disabled={busy || confirmDisabled}
            data-testid="confirm"
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
