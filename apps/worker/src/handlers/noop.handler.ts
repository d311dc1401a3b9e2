import { defineHandler } from '@flowctl/worker-sdk';

/** Returns its resolved input unchanged: the cheapest task, for wiring and benchmarks. */
export const noopHandler = defineHandler((input: unknown) => input ?? {});
