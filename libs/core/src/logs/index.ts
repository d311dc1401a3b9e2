export * from './log-message';
