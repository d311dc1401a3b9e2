export * from './task-handler';
export * from './task-runner';
export * from './task-failure.mapper';
export * from './secret-masker';
/** A custom worker gives its runner the key (`SecretKeyring.fromConfig(FLOWCTL_SECRET_KEY)`) to read secrets. */
export { SecretKeyring, SecretUnreadable, type SealedSecret } from '@flowctl/queue';
export * from './http/http-task-runner';
export type { LeasedTask } from './http/leased-task';
