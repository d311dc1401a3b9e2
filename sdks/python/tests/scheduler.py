"""What the tests against a real scheduler share: a REST client for it, unique names, and workers to run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from flowctl_worker import Worker

SERVER = os.environ.get("FLOWCTL_TEST_SERVER", "")
# With auth on: an admin token for the REST calls of the tests, a token of role worker for the workers.
ADMIN_TOKEN = os.environ.get("FLOWCTL_TEST_TOKEN") or None
WORKER_TOKEN = os.environ.get("FLOWCTL_TEST_WORKER_TOKEN") or ADMIN_TOKEN
PROCESS_WORKER = str(Path(__file__).with_name("process_worker.py"))

requires_scheduler = unittest.skipUnless(SERVER, "FLOWCTL_TEST_SERVER is not set: no scheduler to test against")

T = TypeVar("T")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(probe: Callable[[], Optional[T]], timeout: float = 20.0, what: str = "condition", interval: float = 0.1) -> T:
    """The first truthy value ``probe`` returns, polled until ``timeout`` seconds (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            value = probe()
            if value:
                return value
            last = value
        except Exception as error:  # the scheduler may be briefly unreachable; keep trying until the deadline
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {last!r}")
        time.sleep(interval)


class SchedulerClient:
    def __init__(self, server: str = SERVER, token: Optional[str] = ADMIN_TOKEN) -> None:
        self.server = server.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.server}/api/v1{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.request(method, path, body)
        if status >= 300:
            raise AssertionError(f"{method} {path} answered {status}: {answer}")
        return answer

    def apply(self, name: str, tasks: List[Dict[str, Any]], spec: Optional[Dict[str, Any]] = None) -> None:
        self.ok(
            "PUT",
            "/workflows",
            {"apiVersion": "flowctl/v1", "kind": "Workflow", "metadata": {"name": name}, "spec": {**(spec or {}), "tasks": tasks}},
        )

    def start_run(self, workflow: str, inputs: Optional[Dict[str, Any]] = None) -> str:
        return str(self.ok("POST", f"/workflows/{workflow}/runs", {"inputs": inputs or {}})["id"])

    def run(self, run_id: str) -> Dict[str, Any]:
        return self.ok("GET", f"/runs/{run_id}")

    def task(self, run_id: str, name: str) -> Dict[str, Any]:
        return next(task for task in self.run(run_id)["tasks"] if task["name"] == name)

    def wait_for_run_end(self, run_id: str, timeout: float = 30.0) -> Dict[str, Any]:
        def ended() -> Optional[Dict[str, Any]]:
            run = self.run(run_id)
            return run if run["status"] in ("succeeded", "failed", "cancelled", "timed_out") else None

        return wait_for(ended, timeout, f"run {run_id} to end")

    def wait_for_task_running(self, run_id: str, name: str, attempt: int = 1, timeout: float = 20.0) -> Dict[str, Any]:
        def running() -> Optional[Dict[str, Any]]:
            task = self.task(run_id, name)
            return task if task["status"] == "running" and task["attempt"] == attempt else None

        return wait_for(running, timeout, f"task {name} of run {run_id} to run attempt {attempt}")

    def failures(self, run_id: str) -> List[Dict[str, Any]]:
        """The errors of the run's failed attempts, oldest first, from its event history."""
        events = self.ok("GET", f"/runs/{run_id}/events")["items"]
        return [event["details"]["error"] for event in events if event["type"] == "task_failed"]


class RunningWorker:
    """A Worker serving in a thread of the test process; stopped (gracefully) on exit."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run, name="test-worker", daemon=True)

    def __enter__(self) -> Worker:
        self.thread.start()
        return self.worker

    def __exit__(self, *_: object) -> None:
        self.worker.stop(grace=2.0)
        self.thread.join(timeout=15.0)
        if self.thread.is_alive():
            raise AssertionError("the worker did not stop within 15 s")


def start_worker_process(task_type: str, behaviour: str, grace: float = 10.0) -> "subprocess.Popen[bytes]":
    """A worker of its own (``process_worker.py``), to kill or signal."""
    env = {**os.environ, "FLOWCTL_SERVER": SERVER, "TEST_TASK_TYPE": task_type, "TEST_BEHAVIOUR": behaviour, "TEST_GRACE": str(grace)}
    if WORKER_TOKEN:
        env["FLOWCTL_TOKEN"] = WORKER_TOKEN
    return subprocess.Popen([sys.executable, PROCESS_WORKER], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop_process(process: "subprocess.Popen[bytes]") -> str:
    """Kills the process if it still runs; returns what it printed."""
    if process.poll() is None:
        process.kill()
    output, _ = process.communicate(timeout=10)
    return output.decode("utf-8", "replace")
