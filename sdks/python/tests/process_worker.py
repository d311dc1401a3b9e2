"""A worker in a process of its own, for the tests that kill or signal one (run by scheduler.start_worker_process)."""

import logging
import os
import sys
import time

from flowctl_worker import Worker

logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s %(levelname)s %(message)s")

behaviour = os.environ["TEST_BEHAVIOUR"]
worker = Worker(concurrency=2, shutdown_grace=float(os.environ["TEST_GRACE"]), poll_wait=5.0)


@worker.task(os.environ["TEST_TASK_TYPE"])
def handle(input, ctx):
    if behaviour == "stall-first-attempt" and ctx.attempt == 1:
        ctx.heartbeat({"stalled": True})
        ctx.cancelled.wait(60)  # only kill -9 ends this attempt in the test
        return {"by": "stalled attempt"}
    if behaviour == "finish-in-2s":
        time.sleep(2)
        return {"finished": True, "attempt": ctx.attempt, "cancelled": ctx.cancelled.is_set()}
    if behaviour == "finish-when-released":
        # The test creates the file while the scheduler is down: the result must wait for it to come back.
        while not os.path.exists(os.environ["TEST_RELEASE_FILE"]):
            time.sleep(0.05)
        return {"released": True, "attempt": ctx.attempt}
    if behaviour == "wait-for-cancel":
        cancelled = ctx.cancelled.wait(60)
        return {"cancelled": cancelled, "reason": ctx.cancel_reason}
    return {"attempt": ctx.attempt, "pid": os.getpid()}


worker.run()
print("worker exited", flush=True)
