"""The heartbeat schedule and the report retries, with a stand-in for the HTTP calls (the calls themselves
are tested against a real scheduler in test_against_scheduler)."""

import threading
import time
import unittest
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from flowctl_worker.attempt import RunningAttempt
from flowctl_worker.backoff import Backoff
from flowctl_worker.context import CANCEL_REQUESTED, DEADLINE_PASSED, LEASE_LOST
from flowctl_worker.errors import SchedulerUnreachable, WorkerApiError
from flowctl_worker.heartbeats import Heartbeater
from flowctl_worker.lease import Lease
from flowctl_worker.log_shipper import LogBuffer
from flowctl_worker.result_reporter import ResultReporter


def a_lease(heartbeat_timeout_ms: int = 300, deadline: Optional[datetime] = None, secrets: Optional[Dict[str, str]] = None) -> Lease:
    return Lease.from_wire(
        {
            "leaseId": "L1",
            "runId": "R1",
            "task": "t",
            "type": "x",
            "heartbeatTimeoutMs": heartbeat_timeout_ms,
            "deadline": deadline.isoformat() if deadline else None,
            "secrets": secrets or {},
        }
    )


class StandInApi:
    """Answers each call from a script of outcomes (an exception to raise, or an answer), then with ``default``."""

    def __init__(self, outcomes: Optional[List[Any]] = None, default: Any = None) -> None:
        self.outcomes = list(outcomes or [])
        self.default = default if default is not None else {}
        self.calls: List[Tuple[str, Any]] = []
        self.lock = threading.Lock()

    def _answer(self, call: str, body: Any) -> Any:
        with self.lock:
            self.calls.append((call, body))
            outcome = self.outcomes.pop(0) if self.outcomes else self.default
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def heartbeat(self, lease_id: str, details: Any = None, send_details: bool = False) -> Dict[str, Any]:
        return self._answer("heartbeat", details if send_details else None)  # type: ignore[no-any-return]

    def complete(self, lease_id: str, output: Any) -> None:
        self._answer("complete", output)

    def fail(self, lease_id: str, error: Dict[str, Any], details: Any = None) -> None:
        self._answer("fail", {"error": error, "details": details})

    def reports(self, reports: List[Dict[str, Any]]) -> Dict[str, Any]:
        """The batch route from the same script: each report takes the next outcome, an error status becoming its result."""
        results: List[Dict[str, Any]] = []
        for report in reports:
            completed = report["outcome"] == "completed"
            body = report.get("output") if completed else {"error": report["error"], "details": report.get("details")}
            try:
                self._answer("complete" if completed else "fail", body)
            except WorkerApiError as error:
                if error.is_retryable:
                    raise
                status = "gone" if error.is_lease_gone else "refused"
                results.append({"leaseId": report["leaseId"], "status": status, "message": error.message})
                continue
            results.append({"leaseId": report["leaseId"], "status": "recorded"})
        return {"results": results}


def attempt_of(lease: Lease, heartbeater: Optional[Heartbeater] = None) -> RunningAttempt:
    return RunningAttempt(lease, LogBuffer(100), heartbeater.heartbeat_soon if heartbeater else (lambda attempt: None))


class HeartbeaterTest(unittest.TestCase):
    def run_heartbeater(self, api: StandInApi) -> Heartbeater:
        heartbeater = Heartbeater(api)  # type: ignore[arg-type]
        heartbeater.start()
        self.addCleanup(heartbeater.stop)
        return heartbeater

    def test_heartbeats_every_third_of_the_heartbeat_timeout(self) -> None:
        api = StandInApi()
        heartbeater = self.run_heartbeater(api)
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=300), heartbeater)
        heartbeater.add(attempt)
        time.sleep(0.55)
        heartbeater.remove(attempt)
        beats = len(api.calls)
        self.assertTrue(3 <= beats <= 7, f"{beats} heartbeats in 0.55 s at one per 0.1 s")
        time.sleep(0.25)
        self.assertEqual(len(api.calls), beats, "heartbeats went on after the attempt left")

    def test_user_details_go_out_soon_and_masked(self) -> None:
        api = StandInApi()
        heartbeater = self.run_heartbeater(api)
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=30_000, secrets={"K": "pw"}), heartbeater)
        heartbeater.add(attempt)
        attempt.context.heartbeat({"done": 1, "note": "pw"})
        deadline = time.monotonic() + 2
        while not api.calls and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(api.calls, [("heartbeat", {"done": 1, "note": "***"})])

    def test_a_cancel_request_sets_ctx_cancelled(self) -> None:
        heartbeater = self.run_heartbeater(StandInApi(default={"cancelRequested": True}))
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=150), heartbeater)
        heartbeater.add(attempt)
        self.assertTrue(attempt.context.cancelled.wait(2))
        self.assertEqual(attempt.context.cancel_reason, CANCEL_REQUESTED)

    def test_a_409_loses_the_lease_and_cancels(self) -> None:
        heartbeater = self.run_heartbeater(StandInApi([WorkerApiError(409, "not current")]))
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=150), heartbeater)
        heartbeater.add(attempt)
        self.assertTrue(attempt.context.cancelled.wait(2))
        self.assertEqual(attempt.context.cancel_reason, LEASE_LOST)
        self.assertFalse(attempt.claim_report())

    def test_an_unreachable_scheduler_does_not_cancel(self) -> None:
        api = StandInApi(default=SchedulerUnreachable("refused"))
        heartbeater = self.run_heartbeater(api)
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=150), heartbeater)
        heartbeater.add(attempt)
        time.sleep(0.3)
        self.assertGreaterEqual(len(api.calls), 2)
        self.assertFalse(attempt.context.cancelled.is_set())

    def test_the_deadline_cancels(self) -> None:
        heartbeater = self.run_heartbeater(StandInApi())
        attempt = attempt_of(a_lease(heartbeat_timeout_ms=30_000, deadline=datetime.now(timezone.utc) + timedelta(milliseconds=200)))
        heartbeater.add(attempt)
        started = time.monotonic()
        self.assertTrue(attempt.context.cancelled.wait(2))
        self.assertEqual(attempt.context.cancel_reason, DEADLINE_PASSED)
        self.assertGreater(time.monotonic() - started, 0.1)


class ResultReporterTest(unittest.TestCase):
    def reporter(self, api: StandInApi) -> ResultReporter:
        return ResultReporter(api, threading.Event(), backoff=lambda: Backoff(initial=0.01, maximum=0.02))  # type: ignore[arg-type]

    def test_retries_a_result_until_the_scheduler_acknowledges_it(self) -> None:
        api = StandInApi([SchedulerUnreachable("refused"), WorkerApiError(503, "restarting"), {}])
        self.reporter(api).complete(attempt_of(a_lease()), {"value": 1})
        self.assertEqual([call for call, _ in api.calls], ["complete", "complete", "complete"])

    def test_stops_when_the_lease_is_gone(self) -> None:
        api = StandInApi([WorkerApiError(409, "not current")])
        self.reporter(api).complete(attempt_of(a_lease()), {"value": 1})
        self.assertEqual(len(api.calls), 1)

    def test_an_output_the_scheduler_refuses_fails_the_attempt_instead(self) -> None:
        api = StandInApi([WorkerApiError(400, "output too large"), {}])
        self.reporter(api).complete(attempt_of(a_lease()), {"value": 1})
        self.assertEqual(api.calls[1][0], "fail")
        self.assertEqual(api.calls[1][1]["error"]["type"], "OutputRejected")

    def test_an_output_that_is_not_json_fails_the_attempt(self) -> None:
        api = StandInApi()
        self.reporter(api).complete(attempt_of(a_lease()), {"when": object()})
        self.assertEqual([(call, body["error"]["type"]) for call, body in api.calls], [("fail", "OutputNotSerializable")])

    def test_a_failure_carries_the_last_heartbeat_details_masked(self) -> None:
        api = StandInApi()
        attempt = attempt_of(a_lease(secrets={"K": "pw"}))
        attempt.context.heartbeat({"cursor": "pw-7"})
        self.reporter(api).fail(attempt, {"type": "E", "message": "m"})
        self.assertEqual(api.calls, [("fail", {"error": {"type": "E", "message": "m"}, "details": {"cursor": "***-7"}})])

    def test_gives_up_when_the_worker_stops_for_good(self) -> None:
        api = StandInApi(default=SchedulerUnreachable("refused"))
        abandon = threading.Event()
        reporter = ResultReporter(api, abandon, backoff=lambda: Backoff(initial=0.05, maximum=0.05))  # type: ignore[arg-type]
        threading.Timer(0.2, abandon.set).start()
        started = time.monotonic()
        reporter.complete(attempt_of(a_lease()), {})
        self.assertLess(time.monotonic() - started, 2)


if __name__ == "__main__":
    unittest.main()
