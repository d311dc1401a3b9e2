"""Calls a handler, plain or ``async def``, and turns what it raised into the failure the scheduler stores."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
import os
import traceback
from types import TracebackType
from typing import Any, Awaitable, Callable, Dict, Optional

from .context import TaskContext
from .masking import SecretMasker

Handler = Callable[[Any, TaskContext], Any]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
MAX_STACK_CHARS = 32 * 1024
MAX_MESSAGE_CHARS = 8 * 1024


class AsyncLoopThread:
    """One asyncio event loop in a daemon thread, shared by every ``async def`` handler of a worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="flowctl-asyncio", daemon=True).start()
                self._loop = loop
            return self._loop

    def stop(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None


def call_handler(handler: Handler, input: Any, ctx: TaskContext, loops: AsyncLoopThread) -> Any:
    """Runs the handler to its end in this thread; an awaitable it returns runs on the shared loop."""
    result = handler(input, ctx)
    if inspect.isawaitable(result):
        return _await_on_loop(result, ctx, loops.loop())
    return result


def _await_on_loop(awaitable: Awaitable[Any], ctx: TaskContext, loop: asyncio.AbstractEventLoop) -> Any:
    async def guarded() -> Any:
        # Cancellation of the attempt cancels the handler's asyncio task: its next await raises CancelledError.
        task = asyncio.ensure_future(awaitable)
        ctx.on_cancel(lambda: _call_soon(loop, task.cancel))
        return await task

    future = asyncio.run_coroutine_threadsafe(guarded(), loop)
    try:
        return future.result()
    except concurrent.futures.CancelledError as error:
        raise AttemptCancelled(ctx.cancel_reason or "cancelled") from error


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> None:
    loop.call_soon_threadsafe(callback)


class AttemptCancelled(Exception):
    """An ``async def`` handler's task was cancelled with its attempt and did not catch it."""


def failure_of(error: BaseException, masker: SecretMasker) -> Dict[str, Any]:
    """The ``error`` body of a fail call: the exception's class name, message and traceback, secrets masked."""
    if isinstance(error, (asyncio.CancelledError, AttemptCancelled)):
        error_type = "Cancelled"
    else:
        error_type = type(error).__name__
    message = masker.text(str(error)) or error_type
    stack = masker.text("".join(traceback.format_exception(type(error), error, _handler_frames(error.__traceback__))))
    failure: Dict[str, Any] = {
        "type": error_type,
        "message": _cut(message, MAX_MESSAGE_CHARS),
        "stack": _cut(stack, MAX_STACK_CHARS, keep_end=True),
    }
    if getattr(error, "non_retryable", False) is True:
        failure["nonRetryable"] = True
    return failure


def _handler_frames(trace: Optional[TracebackType]) -> Optional[TracebackType]:
    """The traceback from the handler's frame on: the worker's own frames above it say nothing to the user."""
    start = trace
    while start is not None and start.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        start = start.tb_next
    return start or trace


def _cut(text: str, limit: int, keep_end: bool = False) -> str:
    if len(text) <= limit:
        return text
    # A traceback's last frames say where it failed: keep those.
    return "..." + text[-limit:] if keep_end else text[:limit] + "..."
