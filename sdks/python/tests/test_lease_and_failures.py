import unittest
from datetime import datetime, timezone

from flowctl_worker import NonRetryableError
from flowctl_worker.handler_runner import failure_of
from flowctl_worker.lease import DEFAULT_HEARTBEAT_TIMEOUT_MS, Lease, MalformedLease, parse_timestamp
from flowctl_worker.masking import SecretMasker


class LeaseTest(unittest.TestCase):
    def test_reads_a_polled_task(self) -> None:
        lease = Lease.from_wire(
            {
                "leaseId": "L1",
                "runId": "R1",
                "workflow": "wf",
                "namespace": "default",
                "task": "square",
                "type": "py-square",
                "attempt": 2,
                "idempotencyKey": "R1:square",
                "input": {"n": 3},
                "lastHeartbeatDetails": {"done": 1},
                "heartbeatTimeoutMs": 6000,
                "deadline": "2026-12-07T03:00:00.000Z",
                "secrets": {"K": "v"},
            }
        )
        self.assertEqual((lease.attempt, lease.input, lease.last_heartbeat_details), (2, {"n": 3}, {"done": 1}))
        self.assertEqual(lease.deadline, datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc))
        self.assertEqual(lease.secrets, {"K": "v"})

    def test_fills_what_a_lease_may_leave_out(self) -> None:
        lease = Lease.from_wire({"leaseId": "L1", "runId": "R", "task": "t", "type": "x", "deadline": None})
        self.assertEqual(lease.heartbeat_timeout_ms, DEFAULT_HEARTBEAT_TIMEOUT_MS)
        self.assertEqual(lease.idempotency_key, "R:t")
        self.assertIsNone(lease.deadline)
        self.assertEqual(lease.attempt, 1)

    def test_rejects_a_task_without_lease_id(self) -> None:
        with self.assertRaises(MalformedLease):
            Lease.from_wire({"type": "x"})

    def test_reads_offsets_and_ignores_garbage_times(self) -> None:
        self.assertEqual(parse_timestamp("2026-12-07T04:00:00+01:00"), datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc))
        self.assertIsNone(parse_timestamp("tomorrow"))


class FailureTest(unittest.TestCase):
    def test_an_exception_becomes_type_message_and_traceback(self) -> None:
        try:
            raise KeyError("missing")
        except KeyError as error:
            failure = failure_of(error, SecretMasker())
        self.assertEqual(failure["type"], "KeyError")
        self.assertEqual(failure["message"], "'missing'")
        self.assertIn("Traceback", failure["stack"])
        self.assertNotIn("nonRetryable", failure)

    def test_non_retryable_errors_and_opt_in_attributes(self) -> None:
        class ValidationError(Exception):
            non_retryable = True

        self.assertTrue(failure_of(NonRetryableError("no"), SecretMasker())["nonRetryable"])
        failure = failure_of(ValidationError("bad"), SecretMasker())
        self.assertEqual((failure["type"], failure["nonRetryable"]), ("ValidationError", True))

    def test_masks_secrets_in_message_and_stack(self) -> None:
        try:
            raise RuntimeError("token xyz-123 rejected")
        except RuntimeError as error:
            failure = failure_of(error, SecretMasker({"T": "xyz-123"}))
        self.assertEqual(failure["message"], "token *** rejected")
        self.assertNotIn("xyz-123", failure["stack"])


if __name__ == "__main__":
    unittest.main()
