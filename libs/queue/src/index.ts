export * from './queue-names';
export * from './task-job';
export * from './result-message.guard';
export * from './transport';
export * from './redis-url';
