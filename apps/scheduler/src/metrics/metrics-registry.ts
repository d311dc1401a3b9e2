import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from '@flowctl/observability';

/** The scheduler's one Prometheus registry, served at /api/v1/metrics. */
@Injectable()
export class MetricsRegistry {
  readonly registry: Registry = createMetricsRegistry();
}
