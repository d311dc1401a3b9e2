"""Ships ``ctx.log`` lines to the scheduler in batches, from a thread of its own.

A handler's logging call only appends to a bounded buffer: it never waits on the network,
and a scheduler that is down costs memory up to the cap, no more (the oldest lines go, and
the attempt's log then says how many).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .backoff import Backoff
from .errors import SchedulerUnreachable, WorkerApiError
from .masking import SecretMasker

# The server takes at most 1000 lines and 1 MiB of messages per call.
MAX_LINES_PER_CALL = 1000
MAX_BYTES_PER_CALL = 1024 * 1024
MAX_MESSAGE_CHARS = 64 * 1024
# How long the shipper lets lines gather before a call, so a burst goes as one batch.
LINGER_SECONDS = 0.1

_LEVELS = ((logging.ERROR, "error"), (logging.WARNING, "warn"), (logging.INFO, "info"))

LogLine = Dict[str, Any]
SendLines = Callable[[str, List[LogLine]], None]


def level_name(levelno: int) -> str:
    for threshold, name in _LEVELS:
        if levelno >= threshold:
            return name
    return "debug"


def timestamp(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def dropped_line(count: int) -> LogLine:
    return {
        "ts": timestamp(time.time()),
        "level": "warn",
        "message": f"{count} log line{'s' if count != 1 else ''} dropped: the worker's log buffer was full",
        "stream": "log",
    }


class LogBuffer:
    """Log lines of every running attempt, oldest first, at most ``capacity`` of them."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._lines: Deque[Tuple[str, LogLine]] = deque()
        self._dropped: Dict[str, int] = {}
        # Lines not yet acknowledged, per lease: buffered plus in flight (what flush waits for).
        self._unsent: Dict[str, int] = {}
        self.changed = threading.Condition()

    def append(self, lease_id: str, line: LogLine) -> None:
        with self.changed:
            if len(self._lines) >= self._capacity:
                dropped_lease, _ = self._lines.popleft()
                self._dropped[dropped_lease] = self._dropped.get(dropped_lease, 0) + 1
                self._settle(dropped_lease, 1)
            self._lines.append((lease_id, line))
            self._unsent[lease_id] = self._unsent.get(lease_id, 0) + 1
            self.changed.notify_all()

    def __len__(self) -> int:
        with self.changed:
            return len(self._lines)

    def take(self, max_lines: int = MAX_LINES_PER_CALL, max_bytes: int = MAX_BYTES_PER_CALL) -> List[Tuple[str, List[LogLine]]]:
        """Removes the oldest lines, grouped by lease in order; each group fits one call.

        A lease whose lines were dropped gets a first line saying how many. The taken lines
        stay counted as unsent until ``settle`` or ``put_back``.
        """
        with self.changed:
            batches: Dict[str, List[LogLine]] = {}
            sizes: Dict[str, int] = {}
            taken = 0
            while self._lines and taken < max_lines:
                lease_id, line = self._lines[0]
                size = len(line["message"].encode("utf-8", "replace"))
                # One line of room for the "N dropped" line take() may add.
                if lease_id in batches and (len(batches[lease_id]) >= max_lines - 1 or sizes[lease_id] + size > max_bytes):
                    break
                self._lines.popleft()
                batches.setdefault(lease_id, []).append(line)
                sizes[lease_id] = sizes.get(lease_id, 0) + size
                taken += 1
            for lease_id in list(self._dropped):
                count = self._dropped.pop(lease_id)
                batches.setdefault(lease_id, []).insert(0, dropped_line(count))
                self._unsent[lease_id] = self._unsent.get(lease_id, 0) + 1
            return list(batches.items())

    def put_back(self, lease_id: str, lines: List[LogLine]) -> None:
        """Returns lines a call could not deliver to the front, to be sent again (dropping beyond the cap)."""
        with self.changed:
            room = self._capacity - len(self._lines)
            keep = lines[-room:] if room > 0 else []
            for line in reversed(keep):
                self._lines.appendleft((lease_id, line))
            lost = len(lines) - len(keep)
            if lost:
                self._dropped[lease_id] = self._dropped.get(lease_id, 0) + lost
                self._settle(lease_id, lost)

    def settle(self, lease_id: str, count: int) -> None:
        """``count`` lines of the lease were delivered or given up on."""
        with self.changed:
            self._settle(lease_id, count)

    def forget(self, lease_id: str) -> None:
        """Drops every line of a lease the scheduler no longer takes (409/404)."""
        with self.changed:
            kept = deque(entry for entry in self._lines if entry[0] != lease_id)
            self._lines = kept
            self._dropped.pop(lease_id, None)
            self._unsent.pop(lease_id, None)
            self.changed.notify_all()

    def wait_sent(self, lease_id: str, timeout: float) -> bool:
        """Waits until every line of the lease was delivered or given up on; False on timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: self._unsent.get(lease_id, 0) == 0, timeout)

    def wait_all_sent(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: not self._unsent, timeout)

    def _settle(self, lease_id: str, count: int) -> None:
        left = self._unsent.get(lease_id, 0) - count
        if left > 0:
            self._unsent[lease_id] = left
        else:
            self._unsent.pop(lease_id, None)
        self.changed.notify_all()


class LogShipper:
    """The thread that empties a ``LogBuffer`` into the scheduler's ``/logs`` calls."""

    def __init__(self, buffer: LogBuffer, send: SendLines, backoff: Optional[Backoff] = None) -> None:
        self._buffer = buffer
        self._send = send
        self._backoff = backoff or Backoff(initial=0.2, maximum=5.0)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flowctl-log-shipper", daemon=True)
        self.lines_accepted = 0
        self.calls_accepted = 0
        self._log = logging.getLogger("flowctl_worker")

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Sends what is buffered (for up to ``timeout`` seconds), then ends the thread."""
        self._buffer.wait_all_sent(timeout)
        self._stopping.set()
        with self._buffer.changed:
            self._buffer.changed.notify_all()
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._buffer.changed:
                self._buffer.changed.wait_for(lambda: len(self._buffer) > 0 or self._stopping.is_set())
            if self._stopping.is_set():
                return
            self._stopping.wait(LINGER_SECONDS)
            self.ship_once()

    def ship_once(self) -> None:
        """One round: every batch the buffer holds now, each in one call."""
        for lease_id, lines in self._buffer.take():
            try:
                self._send(lease_id, lines)
            except WorkerApiError as error:
                if error.is_retryable:
                    self._retry_later(lease_id, lines, error)
                    return
                if not error.is_lease_gone:
                    self._log.warning("the scheduler refused %d log lines of lease %s: %s", len(lines), lease_id, error)
                self._buffer.forget(lease_id) if error.is_lease_gone else self._buffer.settle(lease_id, len(lines))
                continue
            except SchedulerUnreachable as error:
                self._retry_later(lease_id, lines, error)
                return
            self._backoff.reset()
            self.lines_accepted += len(lines)
            self.calls_accepted += 1
            self._buffer.settle(lease_id, len(lines))

    def _retry_later(self, lease_id: str, lines: List[LogLine], error: Exception) -> None:
        self._buffer.put_back(lease_id, lines)
        delay = self._backoff.next_delay()
        if self._backoff.failures == 1:
            self._log.warning("cannot ship log lines (%s); retrying with backoff", error)
        self._stopping.wait(delay)


class SecretMaskingFilter(logging.Filter):
    """Masks secrets in a record before any handler sees it: the scheduler's copy and the local console's alike."""

    def __init__(self, masker: SecretMasker) -> None:
        super().__init__()
        self._masker = masker
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if self._masker.is_empty:
            return True
        record.msg = self._masker.text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._masker.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self._masker.text(record.stack_info)
        return True


class AttemptLogHandler(logging.Handler):
    """Turns the records of one attempt's ``ctx.log`` into log lines in the buffer."""

    def __init__(self, lease_id: str, buffer: LogBuffer, masker: SecretMasker) -> None:
        super().__init__(logging.DEBUG)
        self._lease_id = lease_id
        self._buffer = buffer
        self.masker = masker
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if len(message) > MAX_MESSAGE_CHARS:
                message = message[:MAX_MESSAGE_CHARS] + f"... ({len(message) - MAX_MESSAGE_CHARS} characters cut)"
            self._buffer.append(
                self._lease_id,
                {"ts": timestamp(record.created), "level": level_name(record.levelno), "message": message, "stream": "log"},
            )
        except Exception:
            self.handleError(record)


def attempt_logger(task_type: str, handler: AttemptLogHandler) -> logging.Logger:
    """A logger for one attempt, outside logging's registry so that it is freed with the attempt.

    Its records also propagate to ``flowctl_worker.task.<type>``, so the application's own
    logging configuration shows them too.
    """
    logger = logging.Logger(f"flowctl_worker.task.{task_type}", logging.DEBUG)
    logger.parent = logging.getLogger(f"flowctl_worker.task.{task_type}")
    logger.addFilter(SecretMaskingFilter(handler.masker))
    logger.addHandler(handler)
    return logger
