"""What a handler gets besides its input: who it is, heartbeats, cancellation and a logger."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional

from .lease import Lease

# Why ctx.cancelled was set.
CANCEL_REQUESTED = "cancel requested"
DEADLINE_PASSED = "deadline passed"
LEASE_LOST = "lease lost"
WORKER_SHUTDOWN = "worker shutting down"


class TaskContext:
    """One attempt of one task, as its handler sees it.

    ``cancelled`` is a ``threading.Event`` set when the run is cancelled, the attempt's
    deadline passes, the scheduler no longer counts this attempt as current (its lease is
    lost), or the worker hands the task back on shutdown; ``cancel_reason`` says which.
    An ``async def`` handler's asyncio task is also cancelled then.
    """

    def __init__(self, lease: Lease, log: logging.Logger, on_heartbeat: Callable[[Any], None]) -> None:
        self._lease = lease
        self._on_heartbeat = on_heartbeat
        self._lock = threading.Lock()
        self._cancel_callbacks: List[Callable[[], None]] = []
        self._cancel_reason: Optional[str] = None
        self.cancelled = threading.Event()
        self.log = log

    @property
    def attempt(self) -> int:
        """1 for the first attempt, 2 for the first retry, and so on."""
        return self._lease.attempt

    @property
    def idempotency_key(self) -> str:
        """Stable across attempts (``runId:taskName``): give it to the systems a task changes."""
        return self._lease.idempotency_key

    @property
    def run_id(self) -> str:
        return self._lease.run_id

    @property
    def task(self) -> str:
        """The task's name in its workflow."""
        return self._lease.task

    @property
    def task_type(self) -> str:
        return self._lease.type

    @property
    def workflow(self) -> str:
        return self._lease.workflow

    @property
    def namespace(self) -> str:
        return self._lease.namespace

    @property
    def deadline(self) -> Optional[datetime]:
        """When the attempt's start-to-close timeout ends it (timezone-aware), or None."""
        return self._lease.deadline

    @property
    def last_heartbeat_details(self) -> Any:
        """The details of the previous attempt's last heartbeat, to resume from; None on a first attempt."""
        return self._lease.last_heartbeat_details

    @property
    def secrets(self) -> Dict[str, str]:
        """The task's secrets by name; their values are masked as *** in everything the worker reports."""
        return dict(self._lease.secrets)

    @property
    def traceparent(self) -> Optional[str]:
        """The W3C trace context of the task, to continue its trace in the handler."""
        return self._lease.traceparent

    @property
    def cancel_reason(self) -> Optional[str]:
        return self._cancel_reason

    def heartbeat(self, details: Any = None) -> None:
        """Records progress; it reaches the scheduler soon after (throttled) and never blocks on the network.

        ``details`` (JSON-serialisable) is what the next attempt reads as ``last_heartbeat_details``.
        """
        self._on_heartbeat(details)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Calls ``callback`` (from another thread) when the attempt is cancelled, at once if it already is."""
        with self._lock:
            if self._cancel_reason is None:
                self._cancel_callbacks.append(callback)
                return
        callback()

    def _cancel(self, reason: str) -> bool:
        """Sets ``cancelled`` with the first reason given; True when this call did."""
        with self._lock:
            if self._cancel_reason is not None:
                return False
            self._cancel_reason = reason
            callbacks, self._cancel_callbacks = self._cancel_callbacks, []
        self.cancelled.set()
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback's fault must not stop the others
                logging.getLogger("flowctl_worker").exception("a cancellation callback failed")
        return True

    def __repr__(self) -> str:
        return f"TaskContext(run_id={self.run_id!r}, task={self.task!r}, attempt={self.attempt})"
