import { z } from 'zod';

export const Liveness = z.strictObject({ status: z.literal('ok') });
export const Readiness = z.strictObject({ status: z.literal('ready'), leader: z.boolean() });
/** Prometheus text exposition format. */
export const MetricsText = z.string();
