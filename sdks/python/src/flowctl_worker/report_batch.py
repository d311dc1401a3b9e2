"""Group commit of attempt outcomes over ``POST /worker/reports``.

A report goes out at once when none is on its way; the ones that finish while a call is out
go together in the next, so a busy worker pays one call per batch, not per task, and a lone
report waits for nothing. The thread whose report opened a batch sends it; when it is
answered, the first report still waiting sends the next. Each report's answer is raised to
its own thread as the single call (``complete`` or ``fail``) would have raised it, so the
caller's retries are unchanged. A scheduler without the route (404) gets each report alone.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional

from .errors import SchedulerUnreachable, WorkerApiError
from .worker_api import WorkerApi

# The most reports one call carries (the scheduler's limit).
MAX_REPORTS_PER_CALL = 100

# A batch result's status, as the status code the single call would have answered.
_STATUS_OF = {"gone": 409, "refused": 400}


class _Pending:
    __slots__ = ("report", "error", "finished", "leads", "wake")

    def __init__(self, report: Dict[str, Any]) -> None:
        self.report = report
        self.error: Optional[Exception] = None
        self.finished = False
        self.leads = False
        self.wake = threading.Event()


class ReportBatch:
    def __init__(self, api: WorkerApi) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._queue: List[_Pending] = []
        self._sending = False
        self._batch_route = True

    def complete(self, lease_id: str, output: Any) -> None:
        self._send({"leaseId": lease_id, "outcome": "completed", "output": output})

    def fail(self, lease_id: str, error: Dict[str, Any], details: Any = None) -> None:
        report: Dict[str, Any] = {"leaseId": lease_id, "outcome": "failed", "error": error}
        if details is not None:
            report["details"] = details
        self._send(report)

    def _send(self, report: Dict[str, Any]) -> None:
        """Returns once the report is recorded; raises WorkerApiError or SchedulerUnreachable as the single call would."""
        pending = _Pending(report)
        with self._lock:
            self._queue.append(pending)
            if not self._sending:
                self._sending = True
                pending.leads = True
        while True:
            if pending.leads:
                pending.leads = False
                self._send_next_batch()
            pending.wake.wait()
            with self._lock:
                if pending.finished:
                    break
                pending.wake.clear()
        if pending.error is not None:
            raise pending.error

    def _send_next_batch(self) -> None:
        with self._lock:
            batch = self._queue[:MAX_REPORTS_PER_CALL]
            del self._queue[:MAX_REPORTS_PER_CALL]
        try:
            errors = self._deliver([pending.report for pending in batch])
        except (WorkerApiError, SchedulerUnreachable) as error:
            errors = [error] * len(batch)
        except Exception as error:  # a fault of ours must not leave the other threads waiting forever
            errors = [SchedulerUnreachable(f"{type(error).__name__}: {error}", error)] * len(batch)
        with self._lock:
            for pending, error in zip(batch, errors):
                pending.error = error
                pending.finished = True
                pending.wake.set()
            if self._queue:
                self._queue[0].leads = True
                self._queue[0].wake.set()
            else:
                self._sending = False

    def _deliver(self, reports: List[Dict[str, Any]]) -> List[Optional[Exception]]:
        if self._batch_route:
            try:
                answer = self._api.reports(reports)
            except WorkerApiError as error:
                if error.status == 404:
                    self._batch_route = False
                elif error.status != 400 or len(reports) == 1:
                    raise
                # else refused as a whole (one report the schema rejects): each alone, so it costs only itself
            else:
                results = answer.get("results")
                if isinstance(results, list) and len(results) == len(reports):
                    return [_error_of(result) for result in results]
                raise SchedulerUnreachable("the scheduler's answer to the reports holds no result per report")
        return [self._deliver_alone(report) for report in reports]

    def _deliver_alone(self, report: Dict[str, Any]) -> Optional[Exception]:
        try:
            if report["outcome"] == "completed":
                self._api.complete(report["leaseId"], report.get("output"))
            else:
                self._api.fail(report["leaseId"], report["error"], report.get("details"))
        except (WorkerApiError, SchedulerUnreachable) as error:
            return error
        return None


def _error_of(result: Any) -> Optional[Exception]:
    status = result.get("status") if isinstance(result, dict) else None
    if status == "recorded":
        return None
    message = str(result.get("message") or status) if isinstance(result, dict) else "no result"
    return WorkerApiError(_STATUS_OF.get(str(status), 502), message, result)
