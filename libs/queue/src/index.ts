export * from './queue-names';
export * from './task-job';
export * from './result-message.guard';
export * from './transport';
export * from './results-channel';
export * from './micro-batcher';
export * from './secrets/secret-keyring';
export * from './redis-url';
