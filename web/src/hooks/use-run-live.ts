import { useCallback, useEffect, useMemo, useReducer } from 'react';
import { api, ApiError } from '../api/client';
import type { Run, RunDetail, RunEvent, RunStreamDelta, RunStreamHistory, RunStreamSnapshot, Task } from '../api/types';
import { applyEvents, mergeEvents } from '../model/run-state';
import { useEventSource, type StreamState } from './use-event-source';

export interface LiveRun {
  run?: Run;
  tasks: ReadonlyMap<string, Task>;
  /** The run's event history, oldest first (for the timeline and the attempts of a task). */
  events: readonly RunEvent[];
  /** Bumps whenever a task's row changed: the open task panel re-reads its task then. */
  touched: ReadonlyMap<string, number>;
  error?: ApiError;
}

type Action =
  | { type: 'history'; events: RunEvent[] }
  | { type: 'snapshot'; run: RunDetail }
  | { type: 'delta'; delta: RunStreamDelta }
  | { type: 'error'; error: ApiError }
  | { type: 'reset' };

const EMPTY: LiveRun = { tasks: new Map(), events: [], touched: new Map() };

function touch(touched: ReadonlyMap<string, number>, names: Iterable<string>): Map<string, number> {
  const next = new Map(touched);
  for (const name of names) next.set(name, (next.get(name) ?? 0) + 1);
  return next;
}

export function liveRunReducer(state: LiveRun, action: Action): LiveRun {
  switch (action.type) {
    case 'reset':
      return EMPTY;
    case 'history':
      return { ...state, events: mergeEvents(state.events, action.events) };
    case 'snapshot': {
      const { tasks, tasksNextCursor: _cursor, ...run } = action.run;
      const byName = new Map(tasks.map((task) => [task.name, task]));
      return { ...state, run, tasks: byName, touched: touch(state.touched, byName.keys()), error: undefined };
    }
    case 'delta': {
      const { run, events, tasks } = action.delta;
      const names = new Set([...events.map((e) => e.task).filter((t): t is string => !!t), ...tasks.map((t) => t.name)]);
      return {
        ...state,
        run,
        tasks: applyEvents(state.tasks, events, tasks),
        events: mergeEvents(state.events, events),
        touched: touch(state.touched, names),
      };
    }
    case 'error':
      return { ...state, error: action.error };
  }
}

/**
 * A run kept up to date over GET /runs/:id/stream: history, then a snapshot,
 * then deltas applied as they come. If the stream cannot be opened, asks the
 * REST API why (a 404 says the run does not exist).
 */
export function useRunLive(runId: string): LiveRun & { stream: StreamState } {
  const [state, dispatch] = useReducer(liveRunReducer, EMPTY);
  useEffect(() => dispatch({ type: 'reset' }), [runId]);

  const handlers = useMemo(
    () => ({
      history: (data: unknown) => dispatch({ type: 'history', events: (data as RunStreamHistory).events }),
      snapshot: (data: unknown) => dispatch({ type: 'snapshot', run: (data as RunStreamSnapshot).run }),
      events: (data: unknown) => dispatch({ type: 'delta', delta: data as RunStreamDelta }),
    }),
    [],
  );
  // A run that does not exist will not start to: stop asking once the API said 404.
  const stream = useEventSource(state.error?.isNotFound ? undefined : api.runStreamUrl(runId), handlers);

  const explain = useCallback(() => {
    api.getRun(runId).then(
      () => undefined,
      (error: unknown) => error instanceof ApiError && dispatch({ type: 'error', error }),
    );
  }, [runId]);
  useEffect(() => {
    if (stream === 'failed') explain();
  }, [stream, explain]);

  return { ...state, stream };
}
