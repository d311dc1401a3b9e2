"""A leased task as the poll answer gives it: one attempt of one task, with what its handler needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional

# The scheduler's heartbeat timeout when a task declares none.
DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000


class MalformedLease(Exception):
    """A poll answer's task lacks a field every lease has (a scheduler of another version?)."""


@dataclass(frozen=True)
class Lease:
    lease_id: str
    run_id: str
    workflow: str
    namespace: str
    task: str
    type: str
    attempt: int
    idempotency_key: str
    input: Any
    last_heartbeat_details: Any
    heartbeat_timeout_ms: int
    deadline: Optional[datetime]
    traceparent: Optional[str] = None
    secrets: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, task: Mapping[str, Any]) -> "Lease":
        lease_id = task.get("leaseId")
        if not isinstance(lease_id, str) or not lease_id:
            raise MalformedLease("a polled task has no leaseId")
        task_type = task.get("type")
        if not isinstance(task_type, str):
            raise MalformedLease(f"polled task {lease_id} has no type")
        heartbeat_timeout_ms = task.get("heartbeatTimeoutMs")
        secrets = task.get("secrets")
        run_id = str(task.get("runId", ""))
        name = str(task.get("task", ""))
        return cls(
            lease_id=lease_id,
            run_id=run_id,
            workflow=str(task.get("workflow", "")),
            namespace=str(task.get("namespace", "default")),
            task=name,
            type=task_type,
            attempt=int(task.get("attempt") or 1),
            idempotency_key=str(task.get("idempotencyKey") or f"{run_id}:{name}"),
            input=task.get("input"),
            last_heartbeat_details=task.get("lastHeartbeatDetails"),
            heartbeat_timeout_ms=int(heartbeat_timeout_ms)
            if isinstance(heartbeat_timeout_ms, (int, float)) and heartbeat_timeout_ms > 0
            else DEFAULT_HEARTBEAT_TIMEOUT_MS,
            deadline=parse_timestamp(task.get("deadline")),
            traceparent=task.get("traceparent") if isinstance(task.get("traceparent"), str) else None,
            secrets={str(k): str(v) for k, v in secrets.items() if v is not None} if isinstance(secrets, dict) else {},
        )


def parse_timestamp(value: Any) -> Optional[datetime]:
    """An ISO 8601 time as the server writes it (``2026-12-07T03:00:00.000Z``); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    # datetime.fromisoformat reads a trailing Z only from Python 3.11 on.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
