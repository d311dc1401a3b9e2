"""The Worker: registers handlers by task type, leases tasks by long poll and runs them in a pool of threads."""

from __future__ import annotations

import logging
import os
import queue
import re
import secrets
import signal
import socket
import threading
import time
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, TypeVar

from .attempt import RunningAttempt
from .backoff import Backoff
from .context import CANCEL_REQUESTED, DEADLINE_PASSED, WORKER_SHUTDOWN
from .errors import SchedulerUnreachable, WorkerApiError
from .heartbeats import Heartbeater
from .handler_runner import AsyncLoopThread, Handler, call_handler, failure_of
from .lease import Lease, MalformedLease
from .log_shipper import LogBuffer, LogShipper
from .result_reporter import ResultReporter
from .version import __version__
from .worker_api import WorkerApi

H = TypeVar("H", bound=Handler)

DEFAULT_SERVER = "http://localhost:8080"
MAX_POLL_WAIT_MS = 30_000
# A task type name as workflows spell it, and how many one worker's poll may name.
_TASK_TYPE = re.compile(r"^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")
MAX_TYPES_PER_WORKER = 50
# The most tasks one poll may ask for.
MAX_TASKS_PER_POLL = 100
# Before an attempt's result is reported, its log lines get this long to reach the scheduler.
LOG_FLUSH_BEFORE_REPORT_SECONDS = 5.0
# How long the hand-back of unfinished tasks may take at shutdown, after the grace period.
HAND_BACK_SECONDS = 5.0


class Worker:
    """Runs tasks of the types registered with :meth:`task` until stopped.

    ``server`` and ``token`` default to ``FLOWCTL_SERVER`` (else ``http://localhost:8080``)
    and ``FLOWCTL_TOKEN``. At most ``concurrency`` handlers run at once, each in a thread of
    the worker's pool. On SIGTERM or SIGINT (or :meth:`stop`) the worker takes no more tasks,
    gives running ones ``shutdown_grace`` seconds to finish, then hands the rest back to the
    scheduler (they fail as ``WorkerShutdown`` and are retried); a second signal hands them
    back at once.
    """

    def __init__(
        self,
        server: Optional[str] = None,
        token: Optional[str] = None,
        concurrency: int = 4,
        *,
        worker_id: Optional[str] = None,
        shutdown_grace: float = 20.0,
        poll_wait: float = 30.0,
        log_buffer_lines: int = 10_000,
    ) -> None:
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError("concurrency must be a positive integer")
        if shutdown_grace < 0:
            raise ValueError("shutdown_grace must be >= 0 seconds")
        if not 0 <= poll_wait <= MAX_POLL_WAIT_MS / 1000:
            raise ValueError("poll_wait must be between 0 and 30 seconds")
        self.server = server or os.environ.get("FLOWCTL_SERVER") or DEFAULT_SERVER
        self.concurrency = concurrency
        # host-pid-suffix, in the characters the scheduler takes for a worker id.
        host = re.sub(r"[^A-Za-z0-9._:@-]", "-", socket.gethostname())[:80] or "host"
        self.worker_id = worker_id or f"{host}-{os.getpid()}-{secrets.token_hex(3)}"
        self.shutdown_grace = shutdown_grace
        self._poll_wait_ms = int(poll_wait * 1000)
        resolved_token = token if token is not None else os.environ.get("FLOWCTL_TOKEN") or None
        self._api = WorkerApi(self.server, resolved_token, user_agent=f"flowctl-worker-python/{__version__}")
        self._handlers: Dict[str, Handler] = {}
        self._log_buffer = LogBuffer(log_buffer_lines)
        self._log = logging.getLogger("flowctl_worker")

        self._state = threading.Condition()
        self._free = concurrency
        self._running: Dict[str, RunningAttempt] = {}
        self._started = False
        self._stop_requested = threading.Event()
        self._hurry = threading.Event()
        self._stopping = threading.Event()
        self._abandon = threading.Event()
        self._grace_override: Optional[float] = None
        self._signal_name: Optional[str] = None

    # -- registration ---------------------------------------------------------------------------

    def task(self, task_type: str) -> Callable[[H], H]:
        """Decorator: ``@worker.task("py-square")`` makes the function the handler of that task type."""

        def register(handler: H) -> H:
            self.register(task_type, handler)
            return handler

        return register

    def register(self, task_type: str, handler: Handler) -> None:
        if not isinstance(task_type, str) or not _TASK_TYPE.match(task_type) or len(task_type) > 63:
            raise ValueError(f"{task_type!r} is not a task type name: lowercase letters, digits, '-', '_' and '.', at most 63")
        if len(self._handlers) >= MAX_TYPES_PER_WORKER:
            raise ValueError(f"a worker serves at most {MAX_TYPES_PER_WORKER} task types")
        if not callable(handler):
            raise TypeError(f"the handler of {task_type!r} is not callable")
        if task_type in self._handlers:
            raise ValueError(f"task type {task_type!r} already has a handler")
        self._handlers[task_type] = handler

    @property
    def task_types(self) -> List[str]:
        return sorted(self._handlers)

    # -- lifecycle ------------------------------------------------------------------------------

    def run(self) -> None:
        """Serves tasks until stopped (SIGTERM, SIGINT or :meth:`stop`), then shuts down gracefully."""
        if not self._handlers:
            raise ValueError("register at least one task type (@worker.task) before run()")
        with self._state:
            if self._started:
                raise RuntimeError("a Worker runs once; create another to run again")
            self._started = True
        self._heartbeater = Heartbeater(self._api)
        self._shipper = LogShipper(self._log_buffer, self._api.logs)
        self._reporter = ResultReporter(self._api, self._abandon)
        self._loops = AsyncLoopThread()
        self._work: "queue.Queue[Optional[RunningAttempt]]" = queue.Queue()
        self._heartbeater.start()
        self._shipper.start()
        for index in range(self.concurrency):
            threading.Thread(target=self._serve_slot, name=f"flowctl-slot-{index}", daemon=True).start()
        poller = threading.Thread(target=self._poll_loop, name="flowctl-poller", daemon=True)
        poller.start()
        restore = self._install_signal_handlers()
        self._log.info("worker %s serving %s from %s (concurrency %d)", self.worker_id, ", ".join(self.task_types), self.server, self.concurrency)
        try:
            while not self._stop_requested.wait(1.0):
                pass
            self._shut_down(poller)
        finally:
            restore()

    def stop(self, grace: Optional[float] = None) -> None:
        """Asks :meth:`run` to shut down (from any thread); ``grace`` overrides ``shutdown_grace``, 0 hands back at once."""
        if grace is not None:
            self._grace_override = max(0.0, grace)
            if grace <= 0:
                self._hurry.set()
        self._stop_requested.set()
        with self._state:
            self._state.notify_all()

    def _install_signal_handlers(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        # Only events are set here: logging from a signal handler could deadlock on a lock the interrupted code holds.
        def on_signal(signum: int, _frame: Optional[FrameType]) -> None:
            self._signal_name = signal.Signals(signum).name
            self.stop(grace=0 if self._stop_requested.is_set() else None)

        previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        return restore

    def _shut_down(self, poller: threading.Thread) -> None:
        self._stopping.set()
        # Idle workers leave at once; a task the aborted poll had leased is recovered by its lease timeout.
        self._api.abort_poll()
        grace = self._grace_override if self._grace_override is not None else self.shutdown_grace
        grace_ends = time.monotonic() + grace
        with self._state:
            if self._running:
                self._log.info(
                    "%s: taking no more tasks; %d running get up to %.0f s to finish",
                    self._signal_name or "stop requested",
                    len(self._running),
                    grace,
                )
            self._state.notify_all()
            while self._running and not self._hurry.is_set():
                left = grace_ends - time.monotonic()
                if left <= 0:
                    break
                self._state.wait(min(left, 0.5))
            leftovers = list(self._running.values())
        if self._hurry.is_set() and leftovers:
            self._log.warning("asked again to stop: handing running tasks back now")
        hand_backs = [threading.Thread(target=self._hand_back, args=(attempt,), daemon=True) for attempt in leftovers]
        if hand_backs:
            self._log.warning("handing %d unfinished task(s) back to the scheduler", len(hand_backs))
        for thread in hand_backs:
            thread.start()
        hand_back_ends = time.monotonic() + HAND_BACK_SECONDS
        for thread in hand_backs:
            thread.join(max(0.0, hand_back_ends - time.monotonic()))
        # Results still retrying now are left to their lease timeouts.
        self._abandon.set()
        poller.join(timeout=1.0)
        self._shipper.stop(timeout=2.0)
        self._heartbeater.stop()
        self._loops.stop()
        for _ in range(self.concurrency):
            self._work.put(None)
        self._log.info("worker %s stopped", self.worker_id)

    # -- polling --------------------------------------------------------------------------------

    def _poll_loop(self) -> None:
        backoff = Backoff(initial=0.2, maximum=5.0)
        while not self._stopping.is_set():
            with self._state:
                self._state.wait_for(lambda: self._free > 0 or self._stopping.is_set())
                if self._stopping.is_set():
                    return
                free = self._free
            try:
                tasks = self._api.poll(self._poll_body(free), self._poll_wait_ms)
            except (WorkerApiError, SchedulerUnreachable) as error:
                if self._stopping.is_set():
                    return
                delay = backoff.next_delay()
                if backoff.failures == 1 or backoff.failures % 30 == 0:
                    self._log.warning("cannot poll %s (%s); retrying in %.1f s", self.server, error, delay)
                self._stopping.wait(delay)
                continue
            except Exception:  # a fault of ours must not end the worker's loop
                self._log.exception("unexpected error while polling")
                self._stopping.wait(backoff.next_delay())
                continue
            if backoff.failures:
                self._log.info("reconnected to %s", self.server)
                backoff.reset()
            for task in tasks:
                self._accept(task)

    def _poll_body(self, free: int) -> Dict[str, Any]:
        return {
            "workerId": self.worker_id,
            "types": self.task_types,
            "max": min(free, MAX_TASKS_PER_POLL),
            "waitMs": self._poll_wait_ms,
            "concurrency": self.concurrency,
            "host": socket.gethostname(),
            "version": f"python-{__version__}",
        }

    def _accept(self, task: Dict[str, Any]) -> None:
        try:
            lease = Lease.from_wire(task)
        except (MalformedLease, TypeError, ValueError) as error:
            self._log.error("ignoring a malformed task from the scheduler: %s", error)
            return
        attempt = RunningAttempt(lease, self._log_buffer, self._heartbeater.heartbeat_soon)
        with self._state:
            self._free -= 1
            self._running[lease.lease_id] = attempt
        self._heartbeater.add(attempt)
        self._work.put(attempt)

    # -- running --------------------------------------------------------------------------------

    def _serve_slot(self) -> None:
        while True:
            attempt = self._work.get()
            if attempt is None:
                return
            try:
                self._execute(attempt)
            except Exception:
                self._log.exception("unexpected error running task %s", attempt.lease.task)
            finally:
                self._release(attempt)

    def _execute(self, attempt: RunningAttempt) -> None:
        lease = attempt.lease
        handler = self._handlers.get(lease.type)
        if handler is None:
            self._reporter.fail(attempt, {"type": "UnknownTaskType", "message": f"this worker has no handler for type {lease.type!r}"})
            return
        if self._stopping.is_set():
            self._hand_back(attempt)
            return
        error: Optional[BaseException] = None
        output: Any = None
        try:
            output = call_handler(handler, lease.input, attempt.context, self._loops)
        except BaseException as raised:  # whatever a handler raises fails its attempt, never the slot
            error = raised
        if not attempt.claim_report():
            self._log.info("task %s of run %s ended after its lease was %s: result not reported", lease.task, lease.run_id, "handed back" if attempt.is_handed_back else "lost")
            return
        self._log_buffer.wait_sent(lease.lease_id, LOG_FLUSH_BEFORE_REPORT_SECONDS)
        # A handler that stops because it was cancelled returns what it has so far: not a success.
        reason = attempt.context.cancel_reason
        if reason == DEADLINE_PASSED:
            self._reporter.fail(attempt, {"type": "Timeout", "message": "the attempt passed its deadline (its start-to-close timeout)"})
        elif reason == CANCEL_REQUESTED:
            self._reporter.fail(attempt, {"type": "Cancelled", "message": "the run was cancelled"})
        elif error is None:
            self._reporter.complete(attempt, output)
        else:
            self._reporter.fail(attempt, failure_of(error, attempt.masker))

    def _hand_back(self, attempt: RunningAttempt) -> None:
        if not attempt.hand_back():
            return
        attempt.context._cancel(WORKER_SHUTDOWN)
        self._reporter.fail(
            attempt,
            {"type": "WorkerShutdown", "message": f"worker {self.worker_id} shut down before the task finished", "nonRetryable": False},
        )

    def _release(self, attempt: RunningAttempt) -> None:
        self._heartbeater.remove(attempt)
        with self._state:
            if self._running.pop(attempt.lease_id, None) is not None:
                self._free += 1
            self._state.notify_all()

