"""The bench's Python worker (started by bench/python-worker.ts): one task type whose handler returns its input."""

import logging
import os

from flowctl_worker import Worker

logging.basicConfig(level=logging.INFO)
worker = Worker(concurrency=int(os.environ["BENCH_CONCURRENCY"]), shutdown_grace=5.0)
worker.register(os.environ["BENCH_TASK_TYPE"], lambda input, ctx: input)
worker.run()
