"""A flowctl worker in Python: serves the `py-square` and `py-sum` task types of squares.yaml.

    pip install ./sdks/python                # once, from the flowctl checkout
    npx flowctl dev                          # in another terminal: scheduler, worker, dashboard
    npx flowctl apply examples/python-worker/squares.yaml
    python3 examples/python-worker/worker.py
    npx flowctl run squares --input numbers='[1,2,3,4]' --wait

FLOWCTL_SERVER (default http://localhost:8080) and FLOWCTL_TOKEN say where and as whom.
"""

import asyncio
import logging

from flowctl_worker import NonRetryableError, Worker

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

worker = Worker(concurrency=4)


@worker.task("py-square")
def square(input, ctx):
    n = input.get("n")
    if not isinstance(n, (int, float)):
        # Retrying cannot fix the input: fail the task for good.
        raise NonRetryableError(f"n must be a number, got {n!r}")
    ctx.log.info("squaring %s (attempt %d)", n, ctx.attempt)
    return {"value": n * n}


@worker.task("py-sum")
async def total(input, ctx):
    values = [item["value"] for item in input["squares"]]
    # Resume from the previous attempt's progress, if it heartbeated any.
    progress = ctx.last_heartbeat_details or {"done": 0, "sum": 0}
    done, running_sum = progress["done"], progress["sum"]
    for value in values[done:]:
        await asyncio.sleep(0.2)  # stands in for slow work; a cancelled run cancels this await
        done, running_sum = done + 1, running_sum + value
        ctx.heartbeat({"done": done, "sum": running_sum})
    ctx.log.info("summed %d squares", done)
    return {"sum": running_sum}


if __name__ == "__main__":
    worker.run()
