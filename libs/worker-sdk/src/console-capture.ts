import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

/** Where the console lines of the attempt in whose async context they were written go. */
export type ConsoleSink = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

const METHODS = { log: 'info', info: 'info', debug: 'debug', warn: 'warn', error: 'error' } as const;

/**
 * Opt-in (`captureConsole`): attributing a `console.log` to the attempt that wrote it needs an async
 * context, which taxes every promise of the process, so only workers that ask for it pay. The
 * console is patched once per process; outside an attempt it behaves as before.
 */
export class ConsoleCapture {
  private static readonly context = new AsyncLocalStorage<ConsoleSink>();
  private static installed = false;

  static install(): void {
    if (ConsoleCapture.installed) return;
    ConsoleCapture.installed = true;
    for (const [method, level] of Object.entries(METHODS) as [keyof typeof METHODS, (typeof METHODS)[keyof typeof METHODS]][]) {
      const original = console[method].bind(console);
      console[method] = (...args: unknown[]) => {
        const sink = ConsoleCapture.context.getStore();
        if (sink) sink(level, format(...args));
        else original(...args);
      };
    }
  }

  static run<T>(sink: ConsoleSink, work: () => T): T {
    return ConsoleCapture.context.run(sink, work);
  }
}
