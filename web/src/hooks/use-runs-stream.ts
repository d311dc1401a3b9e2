import { useMemo } from 'react';
import { api } from '../api/client';
import type { Run, RunsStreamBatch } from '@flowctl/api-contract';
import { useEventSource, type StreamState } from './use-event-source';

/**
 * Run-level changes of every run (GET /stream), for the runs lists. `onResync`
 * is called when changes may have been missed (the stream reopened, the
 * server lost its database listener): the list should be read again.
 */
export function useRunsStream(onRuns: (runs: Run[]) => void, onResync: () => void, workflow?: string): StreamState {
  const handlers = useMemo(
    () => ({
      runs: (data: unknown) => onRuns((data as RunsStreamBatch).items),
      resync: () => onResync(),
    }),
    [onRuns, onResync],
  );
  return useEventSource(api.runsStreamUrl({ workflow }), handlers, onResync);
}
