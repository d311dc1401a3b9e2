"""The SDK against a real flowctl scheduler (FLOWCTL_TEST_SERVER), through its HTTP worker protocol."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import unittest
from typing import Any, Dict, List

from flowctl_worker import NonRetryableError, Worker

from .scheduler import (
    SERVER,
    WORKER_TOKEN,
    RunningWorker,
    SchedulerClient,
    requires_scheduler,
    start_worker_process,
    stop_process,
    unique,
    wait_for,
)

FAST_RETRY = {"maxAttempts": 3, "initialInterval": "100ms", "backoffCoefficient": 1}


class FlakyError(Exception):
    pass


def new_worker(**options: Any) -> Worker:
    return Worker(server=SERVER, token=options.pop("token", WORKER_TOKEN), concurrency=options.pop("concurrency", 4), poll_wait=5.0, shutdown_grace=2.0, **options)


@requires_scheduler
class HandlerOutcomesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.api = SchedulerClient()
        self.type = unique("py")
        self.workflow = unique("py-wf")

    def apply_one_task(self, **task: Any) -> None:
        self.api.apply(self.workflow, [{"name": "work", "type": self.type, **task}])

    def test_a_handler_output_becomes_the_task_output(self) -> None:
        worker = new_worker()

        @worker.task(self.type)
        def square(input: Dict[str, Any], ctx: Any) -> Dict[str, Any]:
            return {"value": input["n"] ** 2, "attempt": ctx.attempt, "key": ctx.idempotency_key, "run": ctx.run_id, "task": ctx.task}

        self.apply_one_task(**{"with": {"n": 7}})
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual(run["tasks"][0]["output"], {"value": 49, "attempt": 1, "key": f"{run_id}:work", "run": run_id, "task": "work"})
        self.assertEqual(run["tasks"][0]["workerId"], worker.worker_id)

    def test_an_exception_fails_the_attempt_and_the_retry_succeeds(self) -> None:
        worker = new_worker()

        @worker.task(self.type)
        def flaky(input: Any, ctx: Any) -> Dict[str, int]:
            if ctx.attempt == 1:
                raise FlakyError("first attempt fails")
            return {"attempt": ctx.attempt}

        self.apply_one_task(retry=FAST_RETRY)
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual((run["tasks"][0]["attempt"], run["tasks"][0]["output"]), (2, {"attempt": 2}))
        [failure] = self.api.failures(run_id)
        self.assertEqual((failure["type"], failure["message"]), ("FlakyError", "first attempt fails"))

    def test_a_non_retryable_error_fails_the_task_at_once(self) -> None:
        worker = new_worker()
        attempts: List[int] = []

        @worker.task(self.type)
        def refuse(input: Any, ctx: Any) -> None:
            attempts.append(ctx.attempt)
            raise NonRetryableError("bad input, retrying will not help")

        self.apply_one_task(retry=FAST_RETRY)
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "failed")
        # Failed for good on its first attempt: no retry, and no dead letter (that is for exhausted retries).
        self.assertEqual((run["tasks"][0]["status"], run["tasks"][0]["attempt"]), ("failed", 1))
        self.assertEqual(attempts, [1])
        [failure] = self.api.failures(run_id)
        self.assertEqual((failure["type"], failure.get("nonRetryable")), ("NonRetryableError", True))
        events = [event["type"] for event in self.api.ok("GET", f"/runs/{run_id}/events")["items"]]
        self.assertNotIn("task_retrying", events)

    def test_heartbeat_details_reach_the_next_attempt(self) -> None:
        worker = new_worker()

        @worker.task(self.type)
        def resumable(input: Any, ctx: Any) -> Any:
            if ctx.attempt == 1:
                ctx.heartbeat({"done": 5})
                raise FlakyError("stopped half-way")
            return {"resumed_from": ctx.last_heartbeat_details}

        self.apply_one_task(retry=FAST_RETRY)
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual(run["tasks"][0]["output"], {"resumed_from": {"done": 5}})

    def test_cancelling_the_run_sets_ctx_cancelled(self) -> None:
        worker = new_worker()
        seen: Dict[str, Any] = {}
        ended = threading.Event()

        @worker.task(self.type)
        def patient(input: Any, ctx: Any) -> None:
            seen["cancelled"] = ctx.cancelled.wait(30)
            seen["reason"] = ctx.cancel_reason
            ended.set()

        self.apply_one_task(heartbeatTimeout="3s")
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            self.api.wait_for_task_running(run_id, "work")
            cancelled_at = time.monotonic()
            self.api.ok("POST", f"/runs/{run_id}/cancel")
            self.assertTrue(ended.wait(10), "the handler was not told of the cancellation")
            noticed_in = time.monotonic() - cancelled_at
            run = self.api.wait_for_run_end(run_id)
        self.assertTrue(seen["cancelled"])
        self.assertIn(seen["reason"], ("cancel requested", "lease lost"))
        # Heartbeats go every third of the 3 s heartbeat timeout.
        self.assertLess(noticed_in, 5.0)
        self.assertEqual(run["status"], "cancelled")

    def test_a_passed_deadline_sets_ctx_cancelled(self) -> None:
        worker = new_worker()
        seen: Dict[str, Any] = {}
        ended = threading.Event()

        @worker.task(self.type)
        def slow(input: Any, ctx: Any) -> None:
            seen["deadline"] = ctx.deadline
            seen["cancelled"] = ctx.cancelled.wait(20)
            seen["reason"] = ctx.cancel_reason
            ended.set()

        self.apply_one_task(timeout="2s", retry={"maxAttempts": 1})
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            self.assertTrue(ended.wait(15), "the handler was not told its deadline passed")
            run = self.api.wait_for_run_end(run_id)
        self.assertIsNotNone(seen["deadline"])
        self.assertTrue(seen["cancelled"])
        self.assertIn(seen["reason"], ("deadline passed", "lease lost"))
        # What the handler returned once cancelled is not a success.
        self.assertEqual(run["status"], "failed")
        self.assertEqual([failure["type"] for failure in self.api.failures(run_id)], ["Timeout"])

    @unittest.skipUnless(WORKER_TOKEN, "the scheduler runs without auth")
    def test_a_refused_token_is_logged_and_the_worker_keeps_going(self) -> None:
        worker = new_worker(token="not-a-token")
        worker.register(self.type, lambda input, ctx: None)
        with self.assertLogs("flowctl_worker", "WARNING") as logs:
            with RunningWorker(worker):
                wait_for(lambda: any("HTTP 401" in line or "HTTP 403" in line for line in logs.output), 10, "the refusal to be logged")

    def test_async_handlers_return_their_output_and_are_cancelled_with_their_run(self) -> None:
        worker = new_worker()
        slow_type = unique("py-async-slow")
        cancelled = threading.Event()

        @worker.task(self.type)
        async def quick(input: Dict[str, Any], ctx: Any) -> Dict[str, Any]:
            await asyncio.sleep(0.05)
            return {"doubled": input["n"] * 2}

        @worker.task(slow_type)
        async def slow(input: Any, ctx: Any) -> None:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        slow_workflow = unique("py-wf-slow")
        self.apply_one_task(**{"with": {"n": 21}})
        self.api.apply(slow_workflow, [{"name": "work", "type": slow_type, "heartbeatTimeout": "3s"}])
        with RunningWorker(worker):
            run = self.api.wait_for_run_end(self.api.start_run(self.workflow))
            self.assertEqual((run["status"], run["tasks"][0]["output"]), ("succeeded", {"doubled": 42}))
            slow_run = self.api.start_run(slow_workflow)
            self.api.wait_for_task_running(slow_run, "work")
            self.api.ok("POST", f"/runs/{slow_run}/cancel")
            self.assertTrue(cancelled.wait(10), "the handler's asyncio task was not cancelled")
        self.assertEqual(self.api.wait_for_run_end(slow_run)["status"], "cancelled")

    def test_log_lines_are_shipped_with_secrets_masked(self) -> None:
        secret_name = unique("PY_KEY").replace("-", "_").upper()
        secret_value = unique("very-secret-value")
        status, answer = self.api.request("PUT", f"/secrets/{secret_name}", {"value": secret_value})
        if status >= 300:
            self.skipTest(f"the scheduler cannot keep secrets here ({status}: {answer})")
        worker = new_worker()

        @worker.task(self.type)
        def chatty(input: Dict[str, Any], ctx: Any) -> Dict[str, Any]:
            for i in range(20):
                ctx.log.info("line %d uses %s", i, input["key"])
            ctx.heartbeat({"key": input["key"]})
            return {"echo": input["key"], "secret_names": sorted(ctx.secrets)}

        self.apply_one_task(**{"with": {"key": "{{ secrets.%s }}" % secret_name}})
        with RunningWorker(worker):
            run_id = self.api.start_run(self.workflow)
            run = self.api.wait_for_run_end(run_id)
            accepted = worker._shipper.lines_accepted  # type: ignore[attr-defined]
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual(run["tasks"][0]["output"], {"echo": "***", "secret_names": [secret_name]})
        self.assertGreaterEqual(accepted, 20, "the scheduler did not accept the attempt's log lines")
        status, logs = self.api.request("GET", f"/runs/{run_id}/tasks/work/logs")
        if status == 200:  # reading logs back needs a scheduler that keeps them
            messages = [item["message"] for item in logs["items"]]
            self.assertIn("line 0 uses ***", messages)
            self.assertIn("line 19 uses ***", messages)
            self.assertFalse(any(secret_value in message for message in messages))


@requires_scheduler
class WorkerProcessTest(unittest.TestCase):
    """Workers in processes of their own, killed or signalled mid-task."""

    def setUp(self) -> None:
        self.api = SchedulerClient()
        self.type = unique("py-proc")
        self.workflow = unique("py-wf-proc")
        self.processes: List[Any] = []

    def tearDown(self) -> None:
        for process in self.processes:
            output = stop_process(process)
            if os.environ.get("FLOWCTL_TEST_VERBOSE"):
                print(output)

    def spawn(self, behaviour: str, grace: float = 10.0) -> Any:
        process = start_worker_process(self.type, behaviour, grace)
        self.processes.append(process)
        return process

    def test_a_worker_killed_mid_task_loses_it_and_another_worker_retries_it(self) -> None:
        # The scheduler's worker liveness (2 s here) notices the dead worker before this heartbeat timeout would.
        self.api.apply(self.workflow, [{"name": "work", "type": self.type, "heartbeatTimeout": "10s", "retry": FAST_RETRY}])
        first = self.spawn("stall-first-attempt")
        run_id = self.api.start_run(self.workflow)
        self.api.wait_for_task_running(run_id, "work", timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = self.spawn("stall-first-attempt")
        run = self.api.wait_for_run_end(run_id, timeout=40)
        self.assertEqual(run["status"], "succeeded", stop_process(second))
        self.assertEqual(run["tasks"][0]["attempt"], 2)
        self.assertEqual(run["tasks"][0]["output"]["pid"], second.pid)
        self.assertEqual([failure["type"] for failure in self.api.failures(run_id)], ["WorkerLost"])

    def test_sigterm_lets_a_running_task_finish_within_the_grace_period(self) -> None:
        self.api.apply(self.workflow, [{"name": "work", "type": self.type, "retry": FAST_RETRY}])
        worker = self.spawn("finish-in-2s", grace=15.0)
        run_id = self.api.start_run(self.workflow)
        self.api.wait_for_task_running(run_id, "work", timeout=30)
        worker.send_signal(signal.SIGTERM)
        exit_code = worker.wait(15)
        output = stop_process(worker)
        self.assertEqual(exit_code, 0, output)
        self.assertIn("worker exited", output)
        run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "succeeded", output)
        self.assertEqual(run["tasks"][0]["output"], {"finished": True, "attempt": 1, "cancelled": False})

    def test_sigterm_hands_back_a_task_that_outlives_the_grace_period(self) -> None:
        self.api.apply(self.workflow, [{"name": "work", "type": self.type, "retry": FAST_RETRY}])
        worker = self.spawn("wait-for-cancel", grace=1.0)
        run_id = self.api.start_run(self.workflow)
        self.api.wait_for_task_running(run_id, "work", timeout=30)
        signalled_at = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        exit_code = worker.wait(15)
        output = stop_process(worker)
        self.assertEqual(exit_code, 0, output)
        self.assertLess(time.monotonic() - signalled_at, 8.0, output)
        self.assertEqual(
            wait_for(lambda: [f["type"] for f in self.api.failures(run_id)], 10, "the handed-back attempt to fail"), ["WorkerShutdown"], output
        )
        finisher = new_worker()
        finisher.register(self.type, lambda input, ctx: {"attempt": ctx.attempt})
        with RunningWorker(finisher):
            run = self.api.wait_for_run_end(run_id)
        self.assertEqual(run["status"], "succeeded")
        self.assertEqual(run["tasks"][0]["output"], {"attempt": 2})


if __name__ == "__main__":
    unittest.main()
