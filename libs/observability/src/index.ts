export * from './logging';
export * from './tracing';
export * from './metrics';
export * from './observability-config';
export * from './observability-environment';
export * from './process/exit-with-parent';
