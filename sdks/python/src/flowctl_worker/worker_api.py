"""The HTTP worker protocol, as calls: poll, heartbeat, complete, fail, logs (JSON under /api/v1/worker)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.parse
from typing import Any, Dict, List, Optional, Union

from .errors import SchedulerUnreachable, WorkerApiError

Connection = Union[http.client.HTTPConnection, http.client.HTTPSConnection]

# A keep-alive connection the server closed while idle fails the next request with one of
# these before any byte of an answer came; such a request is sent once more on a new connection.
_STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class WorkerApi:
    """One scheduler, reached over keep-alive connections (one per thread), with an optional bearer token.

    The long poll has a connection of its own so that ``abort_poll`` can end it from another
    thread when the worker shuts down.
    """

    def __init__(self, server: str, token: Optional[str], user_agent: str, timeout: float = 10.0) -> None:
        parsed = urllib.parse.urlsplit(server)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"server must be an http(s) URL, got {server!r}")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port
        self._base_path = parsed.path.rstrip("/") + "/api/v1/worker"
        self._headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": user_agent}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._timeout = timeout
        self._local = threading.local()
        self._poll_lock = threading.Lock()
        self._poll_connection: Optional[Connection] = None
        self._poll_aborted = False

    # -- the protocol ---------------------------------------------------------------------------

    def poll(self, body: Dict[str, Any], wait_ms: int) -> List[Dict[str, Any]]:
        """Leases up to ``body['max']`` tasks, waiting up to ``wait_ms`` for some to come."""
        with self._poll_lock:
            if self._poll_aborted:
                return []
            if self._poll_connection is None:
                self._poll_connection = self._new_connection()
            connection = self._poll_connection
        answer = self._post(connection, "/poll", body, timeout=wait_ms / 1000 + self._timeout, on_stale=self._renew_poll_connection)
        tasks = answer.get("tasks") if isinstance(answer, dict) else None
        return [task for task in tasks if isinstance(task, dict)] if isinstance(tasks, list) else []

    def heartbeat(self, lease_id: str, details: Any = None, send_details: bool = False) -> Dict[str, Any]:
        body: Dict[str, Any] = {"details": details} if send_details else {}
        return self._call(f"/tasks/{_segment(lease_id)}/heartbeat", body)

    def complete(self, lease_id: str, output: Any) -> None:
        self._call(f"/tasks/{_segment(lease_id)}/complete", {"output": output})

    def fail(self, lease_id: str, error: Dict[str, Any], details: Any = None) -> None:
        body: Dict[str, Any] = {"error": error}
        if details is not None:
            body["details"] = details
        self._call(f"/tasks/{_segment(lease_id)}/fail", body)

    def reports(self, reports: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Outcomes of several attempts in one call: ``{results: [{leaseId, status, message?}]}``, one per report."""
        return self._call("/reports", {"reports": reports})

    def logs(self, lease_id: str, lines: List[Dict[str, Any]]) -> None:
        self._call(f"/tasks/{_segment(lease_id)}/logs", {"lines": lines})

    def abort_poll(self) -> None:
        """Ends the long poll in flight, if any, and refuses further polls (shutdown)."""
        with self._poll_lock:
            self._poll_aborted = True
            connection = self._poll_connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- transport ------------------------------------------------------------------------------

    def _call(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._new_connection()
        return self._post(connection, path, body, timeout=self._timeout, on_stale=self._renew_thread_connection)

    def _renew_thread_connection(self) -> Connection:
        connection = self._new_connection()
        self._local.connection = connection
        return connection

    def _renew_poll_connection(self) -> Connection:
        with self._poll_lock:
            if self._poll_aborted:
                raise SchedulerUnreachable("the poll was aborted")
            self._poll_connection = self._new_connection()
            return self._poll_connection

    def _new_connection(self) -> Connection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def _post(self, connection: Connection, path: str, body: Dict[str, Any], timeout: float, on_stale: Any) -> Dict[str, Any]:
        payload = json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")
        reused = connection.sock is not None
        try:
            status, raw = self._exchange(connection, path, payload, timeout)
        except _STALE_CONNECTION_ERRORS as error:
            connection.close()
            if not reused:
                raise SchedulerUnreachable(f"{type(error).__name__}: {error}", error) from error
            try:
                status, raw = self._exchange(on_stale(), path, payload, timeout)
            except (OSError, http.client.HTTPException) as retry_error:
                raise SchedulerUnreachable(f"{type(retry_error).__name__}: {retry_error}", retry_error) from retry_error
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise SchedulerUnreachable(f"{type(error).__name__}: {error}", error) from error
        answer = _parse_json(raw)
        if status >= 400:
            raise WorkerApiError(status, _error_message(answer, raw, status), answer)
        if 200 <= status < 300:
            return answer if isinstance(answer, dict) else {}
        raise WorkerApiError(status, f"unexpected HTTP status {status}", answer)

    def _exchange(self, connection: Connection, path: str, payload: bytes, timeout: float) -> "tuple[int, bytes]":
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        connection.request("POST", self._base_path + path, body=payload, headers=self._headers)
        response = connection.getresponse()
        raw = response.read()
        if response.will_close:
            connection.close()
        return response.status, raw


def _segment(lease_id: str) -> str:
    return urllib.parse.quote(lease_id, safe="")


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _error_message(answer: Any, raw: bytes, status: int) -> str:
    """The message of either error shape the server may use: ``{message}`` or ``{error: {message}}``."""
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        message = answer.get("message")
        if isinstance(message, str):
            return message
        if isinstance(message, list):
            return "; ".join(str(item) for item in message)
    text = raw.decode("utf-8", "replace").strip()
    return text[:500] if text else f"HTTP {status}"
