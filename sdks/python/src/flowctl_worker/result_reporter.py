"""Reports an attempt's result until the scheduler acknowledges it: a completed result is never lost.

Complete and fail are repeatable on the server, so a call whose answer was lost is simply
sent again, with backoff, while the scheduler is down or restarting. Only an answer ends
the retries: 200 (recorded), or 409/404 (the attempt is no longer current: a later attempt
or the run's end has superseded it, and the result no longer matters).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Dict, Optional

from .attempt import RunningAttempt
from .backoff import Backoff
from .errors import SchedulerUnreachable, WorkerApiError
from .report_batch import ReportBatch
from .worker_api import WorkerApi

# A token the scheduler refuses will not be accepted by waiting; give up after this many refusals.
MAX_AUTH_REFUSALS = 5


class ResultReporter:
    def __init__(self, api: WorkerApi, abandon: threading.Event, backoff: Callable[[], Backoff] = lambda: Backoff(0.2, 5.0)) -> None:
        # Outcomes finishing together go in one call (POST /worker/reports).
        self._batch = ReportBatch(api)
        # Set when the worker exits for good: an unacknowledged result is left to the lease's timeout.
        self._abandon = abandon
        self._backoff = backoff
        self._log = logging.getLogger("flowctl_worker")

    def complete(self, attempt: RunningAttempt, output: Any) -> None:
        masked = attempt.masker.value(output)
        try:
            json.dumps(masked, allow_nan=False)
        except (TypeError, ValueError) as error:
            self.fail(
                attempt,
                {"type": "OutputNotSerializable", "message": f"the handler's return value is not JSON: {error}"},
            )
            return
        refusal = self._deliver(attempt, "complete", lambda: self._batch.complete(attempt.lease_id, masked))
        if refusal is not None:
            # The server took the output for bad (too large, say): the attempt fails with its reason instead.
            self.fail(attempt, {"type": "OutputRejected", "message": f"the scheduler refused the output: {refusal.message}"})

    def fail(self, attempt: RunningAttempt, error: Dict[str, Any]) -> None:
        details = attempt.latest_details
        refusal = self._deliver(attempt, "fail", lambda: self._batch.fail(attempt.lease_id, error, details))
        if refusal is not None:
            # Perhaps the stack or details were too much: the bare type and message must get through.
            bare: Dict[str, Any] = {key: error[key] for key in ("type", "message", "nonRetryable") if key in error}
            self._deliver(attempt, "fail", lambda: self._batch.fail(attempt.lease_id, bare))

    def _deliver(self, attempt: RunningAttempt, what: str, call: Callable[[], None]) -> Optional[WorkerApiError]:
        """Repeats ``call`` until acknowledged or the lease is gone; returns the 400 refusal, if that was the answer."""
        backoff = self._backoff()
        auth_refusals = 0
        while True:
            try:
                call()
                if backoff.failures:
                    self._log.info("reported %s of task %s after %d retries", what, attempt.lease.task, backoff.failures)
                return None
            except WorkerApiError as error:
                if error.is_lease_gone:
                    self._log.info(
                        "%s of task %s not recorded: the attempt is no longer current (HTTP %d)", what, attempt.lease.task, error.status
                    )
                    return None
                if error.status in (400, 413, 422):
                    self._log.error("the scheduler refused the %s of task %s: %s", what, attempt.lease.task, error)
                    return error
                if error.status in (401, 403):
                    auth_refusals += 1
                    if auth_refusals >= MAX_AUTH_REFUSALS:
                        self._log.error("giving up reporting task %s: the scheduler refuses the token (%s)", attempt.lease.task, error)
                        return None
                failure: Exception = error
            except SchedulerUnreachable as error:
                failure = error
            delay = backoff.next_delay()
            if backoff.failures == 1:
                self._log.warning("cannot report %s of task %s yet (%s); retrying with backoff", what, attempt.lease.task, failure)
            if self._abandon.wait(delay):
                self._log.warning("worker stopped before the %s of task %s was acknowledged", what, attempt.lease.task)
                return None
