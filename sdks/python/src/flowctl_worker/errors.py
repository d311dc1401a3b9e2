"""The exceptions of flowctl_worker: what a handler raises, and what the HTTP client raises."""

from __future__ import annotations

from typing import Any, Optional


class NonRetryableError(Exception):
    """Raised by a handler to fail its task for good: no further attempt, whatever the retry policy.

    Any exception with a true ``non_retryable`` attribute is treated the same way, so a
    library's own error classes can opt in without inheriting from this one.
    """

    non_retryable = True


class WorkerApiError(Exception):
    """The scheduler answered a worker call with an error status (4xx or 5xx)."""

    def __init__(self, status: int, message: str, body: Any = None) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.body = body

    @property
    def is_lease_gone(self) -> bool:
        """409 (the attempt is no longer current) or 404 (unknown lease): stop working on it."""
        return self.status in (404, 409)

    @property
    def is_retryable(self) -> bool:
        """A server fault or overload; the same call may succeed later."""
        return self.status >= 500 or self.status in (408, 429)


class SchedulerUnreachable(Exception):
    """No answer from the scheduler: refused, reset, timed out, or not HTTP."""

    def __init__(self, message: str, cause: Optional[BaseException] = None) -> None:
        super().__init__(message)
        self.cause = cause
