import type { TaskHandler } from '@flowctl/worker-sdk';
import type { WorkerConfig } from '../config/worker-config';
import { failHandler } from './fail.handler';
import { httpHandler } from './http/http.handler';
import { noopHandler } from './noop.handler';
import { shellHandler } from './shell.handler';
import { sleepHandler } from './sleep.handler';

export function builtInHandlers(config: WorkerConfig): Record<string, TaskHandler> {
  return {
    noop: noopHandler,
    sleep: sleepHandler,
    fail: failHandler,
    http: httpHandler(config.http),
    ...(config.shellEnabled ? { shell: shellHandler(config.shellEnvironment) } : {}),
  };
}
