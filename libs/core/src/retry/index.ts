export * from './retry-decision';
