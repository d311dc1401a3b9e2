export * from './log-context';
export * from './log-redaction';
export * from './logger';
export * from './nest-logger';
