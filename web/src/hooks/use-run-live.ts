import { useCallback, useEffect, useMemo, useReducer } from 'react';
import { api, ApiError, type EarlierEventsPage } from '../api/client';
import type { FanOutSummary, Run, RunEvent, RunStreamDelta, RunStreamHistory, RunStreamSnapshot, Task } from '@flowctl/api-contract';
import { applyEvents, capHistory, isInstanceOf, mergeEvents, mergeFanOuts } from '../model/run-state';
import { useEventSource, type StreamState } from './use-event-source';

/** Events held for the timeline while a run streams in; each page loaded by hand raises it by its size. */
export const LIVE_HISTORY_CAP = 5_000;

export interface LiveRun {
  run?: Run;
  /** The run's own tasks and the instances of its small fan-outs, by name. */
  tasks: ReadonlyMap<string, Task>;
  /** The fan-outs held as counts per status (too many instances to hold each), by forEach task name. */
  fanOuts: ReadonlyMap<string, FanOutSummary>;
  /** The run's latest events, oldest first (for the timeline and the attempts of a task). */
  events: readonly RunEvent[];
  /** Events before this id are on the server only (loadEarlier reads them); null when `events` is the whole history. */
  earlierBefore: string | null;
  historyCap: number;
  /** Bumps whenever a task's row changed: the open task panel re-reads its task then. */
  touched: ReadonlyMap<string, number>;
  error?: ApiError;
}

type Action =
  | { type: 'history'; history: RunStreamHistory }
  | { type: 'snapshot'; snapshot: Pick<RunStreamSnapshot, 'run' | 'fanOuts'> }
  | { type: 'delta'; delta: RunStreamDelta }
  | { type: 'earlier'; page: EarlierEventsPage }
  | { type: 'error'; error: ApiError }
  | { type: 'reset' };

export const EMPTY_LIVE_RUN: LiveRun = {
  tasks: new Map(),
  fanOuts: new Map(),
  events: [],
  earlierBefore: null,
  historyCap: LIVE_HISTORY_CAP,
  touched: new Map(),
};

function touch(touched: ReadonlyMap<string, number>, names: Iterable<string>): Map<string, number> {
  const next = new Map(touched);
  for (const name of names) next.set(name, (next.get(name) ?? 0) + 1);
  return next;
}

export function liveRunReducer(state: LiveRun, action: Action): LiveRun {
  switch (action.type) {
    case 'reset':
      return EMPTY_LIVE_RUN;
    case 'history': {
      const { events, reset, earlierBefore } = action.history;
      const merged = reset ? mergeEvents([], events) : mergeEvents(state.events, events);
      const history = capHistory(
        { events: merged, earlierBefore: earlierBefore !== undefined ? earlierBefore : state.earlierBefore },
        state.historyCap,
      );
      return { ...state, ...history };
    }
    case 'snapshot': {
      const { tasks, tasksNextCursor: _cursor, ...run } = action.snapshot.run;
      const byName = new Map(tasks.map((task) => [task.name, task]));
      const fanOuts = new Map((action.snapshot.fanOuts ?? []).map((summary) => [summary.task, summary]));
      return { ...state, run, tasks: byName, fanOuts, touched: touch(state.touched, byName.keys()), error: undefined };
    }
    case 'delta': {
      const { run, events, tasks } = action.delta;
      // Counts first: a fan-out that starts being counted in this delta must not gain its instances as rows.
      const fanOuts = mergeFanOuts(state.fanOuts, action.delta.fanOuts);
      const names = new Set([...events.map((e) => e.task).filter((t): t is string => !!t), ...tasks.map((t) => t.name)]);
      for (const name of names) if (isInstanceOf(fanOuts, name)) names.delete(name);
      const history = capHistory({ events: mergeEvents(state.events, events), earlierBefore: state.earlierBefore }, state.historyCap);
      return {
        ...state,
        run: state.run && { ...state.run, ...run },
        tasks: applyEvents(state.tasks, events, tasks, fanOuts),
        fanOuts,
        ...history,
        touched: touch(state.touched, names),
      };
    }
    case 'earlier': {
      const { items, earlierBefore } = action.page;
      return { ...state, events: mergeEvents(items, state.events), earlierBefore, historyCap: state.historyCap + items.length };
    }
    case 'error':
      return { ...state, error: action.error };
  }
}

/**
 * A run kept up to date over GET /runs/:id/stream: history, then a snapshot,
 * then deltas applied as they come. If the stream cannot be opened, asks the
 * REST API why (a 404 says the run does not exist). `loadEarlier` reads the
 * page of history before the events held.
 */
export function useRunLive(runId: string): LiveRun & { stream: StreamState; loadEarlier: () => Promise<void> } {
  const [state, dispatch] = useReducer(liveRunReducer, EMPTY_LIVE_RUN);
  useEffect(() => dispatch({ type: 'reset' }), [runId]);

  const handlers = useMemo(
    () => ({
      history: (data: unknown) => dispatch({ type: 'history', history: data as RunStreamHistory }),
      snapshot: (data: unknown) => dispatch({ type: 'snapshot', snapshot: data as RunStreamSnapshot }),
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

  const earlierBefore = state.earlierBefore;
  const loadEarlier = useCallback(async () => {
    if (earlierBefore === null) return;
    const page = await api.listEarlierRunEvents(runId, earlierBefore);
    dispatch({ type: 'earlier', page });
  }, [runId, earlierBefore]);

  return { ...state, stream, loadEarlier };
}
