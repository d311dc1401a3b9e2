import { useEffect, useRef, useState } from 'react';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'failed';

/**
 * An EventSource for as long as the component wants it. The browser reconnects
 * by itself (sending Last-Event-ID); when it gives up (the server answered with
 * an error instead of a stream), this waits and opens a new one.
 */
export function useEventSource(
  url: string | undefined,
  handlers: Record<string, (data: unknown) => void>,
  onOpen?: () => void,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const onOpenRef = useRef(onOpen);
  onOpenRef.current = onOpen;
  const names = Object.keys(handlers).sort().join(',');

  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let closed = false;

    const open = () => {
      setState(failures === 0 ? 'connecting' : 'reconnecting');
      source = new EventSource(url);
      source.onopen = () => {
        failures = 0;
        setState('live');
        onOpenRef.current?.();
      };
      source.onerror = () => {
        if (closed || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          failures += 1;
          setState('failed');
          retry = setTimeout(open, Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5)));
        } else setState('reconnecting');
      };
      for (const name of names.split(',').filter(Boolean)) {
        source.addEventListener(name, (event) => {
          let data: unknown;
          try {
            data = JSON.parse((event as MessageEvent<string>).data);
          } catch {
            return;
          }
          handlersRef.current[name]?.(data);
        });
      }
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [url, names]);

  return state;
}
