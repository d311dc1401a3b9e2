"""A running attempt: its lease, its context, and what the worker knows of it while the handler runs."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from .context import LEASE_LOST, TaskContext
from .lease import Lease
from .log_shipper import AttemptLogHandler, LogBuffer, attempt_logger
from .masking import SecretMasker

# User heartbeats reach the scheduler at most this often (or every heartbeat interval, if shorter).
USER_HEARTBEAT_MIN_GAP_SECONDS = 1.0
# Heartbeats also tell the scheduler the worker lives (a busy worker does not poll): as often as a native worker's.
MAX_HEARTBEAT_INTERVAL_SECONDS = 5.0


class RunningAttempt:
    def __init__(self, lease: Lease, log_buffer: LogBuffer, on_user_heartbeat: Callable[["RunningAttempt"], None]) -> None:
        self.lease = lease
        self.masker = SecretMasker(lease.secrets)
        self.started_at = time.monotonic()
        # A third of the heartbeat timeout: two heartbeats may go missing before the scheduler gives up.
        self.heartbeat_interval = min(MAX_HEARTBEAT_INTERVAL_SECONDS, max(0.1, lease.heartbeat_timeout_ms / 3000))
        self.user_heartbeat_gap = min(self.heartbeat_interval, USER_HEARTBEAT_MIN_GAP_SECONDS)
        self.deadline_monotonic: Optional[float] = _monotonic_of(lease.deadline)
        self._lock = threading.Lock()
        self._details: Any = None
        self._has_details = False
        self._details_unsent = False
        self.last_heartbeat_sent = 0.0
        self._lease_gone = False
        self._handed_back = False
        self._reporting = False
        self._on_user_heartbeat = on_user_heartbeat
        self.context = TaskContext(
            lease,
            attempt_logger(lease.type, AttemptLogHandler(lease.lease_id, log_buffer, self.masker)),
            self._record_heartbeat,
        )

    @property
    def lease_id(self) -> str:
        return self.lease.lease_id

    # -- heartbeat details ------------------------------------------------------------------------

    def _record_heartbeat(self, details: Any) -> None:
        masked = self.masker.value(details)
        with self._lock:
            self._details = masked
            self._has_details = details is not None or self._has_details
            self._details_unsent = True
        self._on_user_heartbeat(self)

    def heartbeat_details(self) -> "tuple[bool, Any]":
        """Whether any details were recorded, and the latest (masked); marks them as being sent."""
        with self._lock:
            self._details_unsent = False
            return self._has_details, self._details

    @property
    def has_unsent_details(self) -> bool:
        with self._lock:
            return self._details_unsent

    @property
    def latest_details(self) -> Any:
        with self._lock:
            return self._details if self._has_details else None

    # -- the lease's fate ---------------------------------------------------------------------------

    def lose_lease(self) -> None:
        """The scheduler no longer counts this attempt (409/404): cancel it, and report nothing."""
        with self._lock:
            self._lease_gone = True
        self.context._cancel(LEASE_LOST)

    @property
    def is_lease_gone(self) -> bool:
        with self._lock:
            return self._lease_gone

    def hand_back(self) -> bool:
        """Marks the attempt handed back on shutdown (its own result will not be reported); False if it already ended."""
        with self._lock:
            if self._lease_gone or self._handed_back or self._reporting:
                return False
            self._handed_back = True
            return True

    @property
    def is_handed_back(self) -> bool:
        with self._lock:
            return self._handed_back

    def claim_report(self) -> bool:
        """The handler ended: True if its result is to be reported (not lost, not already handed back)."""
        with self._lock:
            if self._lease_gone or self._handed_back:
                return False
            self._reporting = True
            return True


def _monotonic_of(deadline: Optional[datetime]) -> Optional[float]:
    if deadline is None:
        return None
    return time.monotonic() + (deadline - datetime.now(timezone.utc)).total_seconds()
