export * from './task-handler';
export * from './task-runner';
export * from './task-failure.mapper';
export * from './secret-masker';
