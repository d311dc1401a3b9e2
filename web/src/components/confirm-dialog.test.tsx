import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { ConfirmDialog } from './confirm-dialog';

describe('ConfirmDialog', () => {
  it('runs nothing until confirmed, then reports the result and closes', async () => {
    const onConfirm = vi.fn(async () => 'done');
    const onDone = vi.fn();
    const onClose = vi.fn();
    render(
      <ConfirmDialog title="Cancel this run?" confirmLabel="Cancel run" onConfirm={onConfirm} onDone={onDone} onClose={onClose}>
        Running tasks get their cancellation signal.
      </ConfirmDialog>,
    );
    expect(screen.getByRole('dialog', { name: 'Cancel this run?' })).toBeTruthy();
    expect(onConfirm).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onDone).toHaveBeenCalledWith('done');
  });

  it("stays open with the API's message when the action is refused", async () => {
    const onClose = vi.fn();
    render(
      <ConfirmDialog
        title="Retry this run?"
        confirmLabel="Retry"
        onConfirm={() => Promise.reject(new ApiError(409, 'run 42 is succeeded; only a failed run can be retried'))}
        onClose={onClose}
      />,
    );
    fireEvent.click(screen.getByTestId('confirm'));
    expect((await screen.findByTestId('action-error')).textContent).toBe('run 42 is succeeded; only a failed run can be retried');
    expect(onClose).not.toHaveBeenCalled();
    expect((screen.getByTestId('confirm') as HTMLButtonElement).disabled).toBe(false);
  });

  it('closes on Escape and on Cancel without acting', () => {
    const onConfirm = vi.fn(async () => undefined);
    const onClose = vi.fn();
    render(<ConfirmDialog title="Requeue?" confirmLabel="Requeue" onConfirm={onConfirm} onClose={onClose} />);
    fireEvent.keyDown(window, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
