"""flowctl_worker: run flowctl workflow tasks from Python.

    from flowctl_worker import Worker, NonRetryableError

    worker = Worker(concurrency=4)  # FLOWCTL_SERVER / FLOWCTL_TOKEN

    @worker.task("py-square")
    def square(input, ctx):
        ctx.log.info("squaring %s", input["n"])
        return {"value": input["n"] ** 2}

    worker.run()
"""

from .context import TaskContext
from .errors import NonRetryableError, SchedulerUnreachable, WorkerApiError
from .version import __version__
from .worker import Worker

__all__ = ["Worker", "TaskContext", "NonRetryableError", "WorkerApiError", "SchedulerUnreachable", "__version__"]
