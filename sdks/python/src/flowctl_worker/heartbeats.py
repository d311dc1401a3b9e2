"""Heartbeats every running lease from one thread, and fires ``ctx.cancelled`` at deadlines.

Each attempt heartbeats every third of its heartbeat timeout whatever its handler does, so
a handler busy in one long call keeps its lease; a handler's own ``ctx.heartbeat(details)``
goes out sooner, throttled. The scheduler's answer carries cancellation; a 409 means the
attempt is no longer current.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Dict, List, Optional, Set, Tuple

from .attempt import RunningAttempt
from .context import CANCEL_REQUESTED, DEADLINE_PASSED
from .errors import SchedulerUnreachable, WorkerApiError
from .worker_api import WorkerApi



class Heartbeater:
    def __init__(self, api: WorkerApi) -> None:
        self._api = api
        self._changed = threading.Condition()
        self._attempts: Dict[str, RunningAttempt] = {}
        # (when, sequence, lease id): one live entry per attempt, for its next heartbeat or its
        # deadline, whichever comes first. An entry whose attempt left, or that was rescheduled
        # since, is skipped when it comes up; such stale entries are at most a heartbeat interval old.
        self._due: List[Tuple[float, int, str]] = []
        self._next_heartbeat: Dict[str, float] = {}
        self._deadline_passed: Set[str] = set()
        self._sequence = itertools.count()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="flowctl-heartbeats", daemon=True)
        self._log = logging.getLogger("flowctl_worker")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join(timeout=2.0)

    def add(self, attempt: RunningAttempt) -> None:
        with self._changed:
            self._attempts[attempt.lease_id] = attempt
            self._schedule(attempt, time.monotonic() + attempt.heartbeat_interval)
            self._changed.notify_all()

    def remove(self, attempt: RunningAttempt) -> None:
        with self._changed:
            self._attempts.pop(attempt.lease_id, None)
            self._next_heartbeat.pop(attempt.lease_id, None)
            self._deadline_passed.discard(attempt.lease_id)

    def heartbeat_soon(self, attempt: RunningAttempt) -> None:
        """A handler recorded details: send them once the throttle allows, if that is before the next beat."""
        with self._changed:
            if attempt.lease_id not in self._attempts:
                return
            when = max(time.monotonic(), attempt.last_heartbeat_sent + attempt.user_heartbeat_gap)
            if when < self._next_heartbeat.get(attempt.lease_id, float("inf")):
                self._schedule(attempt, when)
                self._changed.notify_all()

    def _schedule(self, attempt: RunningAttempt, when: float) -> None:
        """Under the lock: the attempt's next wake-up, at ``when`` or at its deadline if that comes first."""
        deadline = attempt.deadline_monotonic
        if deadline is not None and attempt.lease_id not in self._deadline_passed:
            when = min(when, deadline)
        self._next_heartbeat[attempt.lease_id] = when
        heapq.heappush(self._due, (when, next(self._sequence), attempt.lease_id))

    def _run(self) -> None:
        while True:
            with self._changed:
                attempt, deadline_passed = self._wait_for_due()
                if attempt is None:
                    return
            if deadline_passed and attempt.context._cancel(DEADLINE_PASSED):
                self._log.info("task %s of run %s passed its deadline: cancelling it", attempt.lease.task, attempt.lease.run_id)
            self._beat(attempt)

    def _wait_for_due(self) -> Tuple[Optional[RunningAttempt], bool]:
        """Under the lock: the next attempt whose time has come and whether its deadline just passed; None when stopping."""
        while not self._stopping:
            if not self._due:
                self._changed.wait()
                continue
            when, _, lease_id = self._due[0]
            now = time.monotonic()
            if when > now:
                self._changed.wait(when - now)
                continue
            heapq.heappop(self._due)
            attempt = self._attempts.get(lease_id)
            if attempt is None or self._next_heartbeat.get(lease_id) != when:
                continue
            deadline = attempt.deadline_monotonic
            deadline_passed = deadline is not None and now >= deadline and lease_id not in self._deadline_passed
            if deadline_passed:
                self._deadline_passed.add(lease_id)
            self._schedule(attempt, now + attempt.heartbeat_interval)
            return attempt, deadline_passed
        return None, False

    def _beat(self, attempt: RunningAttempt) -> None:
        has_details, details = attempt.heartbeat_details()
        attempt.last_heartbeat_sent = time.monotonic()
        try:
            answer = self._api.heartbeat(attempt.lease_id, details, send_details=has_details)
        except WorkerApiError as error:
            if error.is_lease_gone:
                self._log.info(
                    "task %s of run %s is no longer this worker's (HTTP %d): cancelling it",
                    attempt.lease.task,
                    attempt.lease.run_id,
                    error.status,
                )
                attempt.lose_lease()
                self.remove(attempt)
            else:
                self._log.warning("heartbeat of task %s refused: %s", attempt.lease.task, error)
            return
        except SchedulerUnreachable as error:
            self._log.debug("heartbeat of task %s not delivered: %s", attempt.lease.task, error)
            return
        if answer.get("cancelRequested") is True and attempt.context._cancel(CANCEL_REQUESTED):
            self._log.info("task %s of run %s: cancellation requested", attempt.lease.task, attempt.lease.run_id)
