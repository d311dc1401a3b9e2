import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { currentLogContext } from './log-context';
import { hasLogRedactors, redactLogLine } from './log-redaction';

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export interface LoggingOptions {
  /** `service` on every line: scheduler, worker, ... */
  service: string;
  level: LogLevel;
  /** json: one object a line (production); pretty: for a person at a terminal (`npm run dev`). */
  format: LogFormat;
  /** Where lines go; default stdout. Tests pass a stream. */
  destination?: NodeJS.WritableStream;
}

function createRootLogger(options: LoggingOptions): Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Run, task and attempt of the unit of work in hand (see withLogContext) go on every line.
    mixin: () => currentLogContext() ?? {},
    hooks: {
      logMethod(args, method) {
        if (!hasLogRedactors()) return method.apply(this, args);
        const [first, ...rest] = args as unknown[];
        const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
        const message = String((typeof first === 'object' && first !== null ? rest[0] : first) ?? '');
        const line = redactLogLine(message, fields);
        return method.call(this, line.fields, line.message);
      },
    },
  };
  if (options.format === 'pretty') {
    const pretty = pinoPretty({
      sync: true,
      colorize: Boolean((options.destination ?? process.stdout) === process.stdout && process.stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      // One line per entry, as a terminal reader expects: `[Component] message {fields}`.
      singleLine: true,
      messageFormat: '{if component}[{component}] {end}{msg}',
      ignore: 'pid,hostname,service,component',
      destination: options.destination ?? 1,
    });
    return pino(pinoOptions, pretty);
  }
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions, pino.destination({ sync: true }));
}

let root: Logger = createRootLogger({ service: 'flowctl', level: 'info', format: 'json' });

/** Call once at start, from the process's configuration, before anything logs. */
export function configureLogging(options: LoggingOptions): Logger {
  root = createRootLogger(options);
  return root;
}

/** A logger for one part of the process (`component` on every line). */
export function getLogger(component?: string): Logger {
  return component ? root.child({ component }) : root;
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel | undefined {
  if (value === undefined || value === '') return fallback;
  const level = value.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}

export function parseLogFormat(value: string | undefined, fallback: LogFormat = 'json'): LogFormat | undefined {
  if (value === undefined || value === '') return fallback;
  return value === 'json' || value === 'pretty' ? value : undefined;
}
