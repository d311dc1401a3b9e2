import logging
import threading
import unittest
from typing import Any, Dict, List, Tuple

from flowctl_worker.errors import SchedulerUnreachable, WorkerApiError
from flowctl_worker.log_shipper import AttemptLogHandler, LogBuffer, LogShipper, attempt_logger, level_name
from flowctl_worker.masking import SecretMasker
from flowctl_worker.backoff import Backoff


def line(message: str) -> Dict[str, Any]:
    return {"ts": "2026-12-07T00:00:00.000Z", "level": "info", "message": message, "stream": "log"}


class LogBufferTest(unittest.TestCase):
    def test_takes_lines_grouped_by_lease_in_order(self) -> None:
        buffer = LogBuffer(capacity=10)
        buffer.append("a", line("a1"))
        buffer.append("b", line("b1"))
        buffer.append("a", line("a2"))
        batches = dict(buffer.take())
        self.assertEqual([l["message"] for l in batches["a"]], ["a1", "a2"])
        self.assertEqual([l["message"] for l in batches["b"]], ["b1"])
        self.assertEqual(len(buffer), 0)

    def test_drops_the_oldest_beyond_the_cap_and_says_how_many(self) -> None:
        buffer = LogBuffer(capacity=3)
        for i in range(10):
            buffer.append("a", line(f"line {i}"))
        messages = [l["message"] for l in dict(buffer.take())["a"]]
        self.assertEqual(messages[0], "7 log lines dropped: the worker's log buffer was full")
        self.assertEqual(messages[1:], ["line 7", "line 8", "line 9"])

    def test_a_batch_respects_the_line_and_byte_limits_of_one_call(self) -> None:
        buffer = LogBuffer(capacity=5000)
        for i in range(2500):
            buffer.append("a", line(f"{i}"))
        first = dict(buffer.take(max_lines=1000))["a"]
        self.assertEqual(len(first), 999)
        big = LogBuffer(capacity=10)
        for _ in range(3):
            big.append("a", line("x" * 400))
        self.assertEqual(len(dict(big.take(max_bytes=1000))["a"]), 2)

    def test_put_back_lines_are_sent_first_next_time(self) -> None:
        buffer = LogBuffer(capacity=10)
        buffer.append("a", line("1"))
        taken = dict(buffer.take())["a"]
        buffer.append("a", line("2"))
        buffer.put_back("a", taken)
        self.assertEqual([l["message"] for l in dict(buffer.take())["a"]], ["1", "2"])

    def test_wait_sent_returns_once_lines_are_settled(self) -> None:
        buffer = LogBuffer(capacity=10)
        buffer.append("a", line("1"))
        self.assertFalse(buffer.wait_sent("a", 0.01))
        buffer.settle("a", len(dict(buffer.take())["a"]))
        self.assertTrue(buffer.wait_sent("a", 0.01))


class FakeSender:
    """Stands in for the /logs call (the protocol itself is tested against a real scheduler)."""

    def __init__(self, failures: List[Exception]) -> None:
        self.failures = failures
        self.sent: List[Tuple[str, List[Dict[str, Any]]]] = []
        self.lock = threading.Lock()

    def __call__(self, lease_id: str, lines: List[Dict[str, Any]]) -> None:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((lease_id, list(lines)))


class LogShipperTest(unittest.TestCase):
    def test_retries_lines_while_the_scheduler_is_unreachable(self) -> None:
        buffer = LogBuffer(capacity=100)
        sender = FakeSender([SchedulerUnreachable("refused"), WorkerApiError(503, "restarting")])
        shipper = LogShipper(buffer, sender, Backoff(initial=0.01, maximum=0.02))
        shipper.start()
        try:
            buffer.append("a", line("hello"))
            self.assertTrue(buffer.wait_sent("a", 5.0))
        finally:
            shipper.stop(timeout=1.0)
        self.assertEqual([(lease, [l["message"] for l in lines]) for lease, lines in sender.sent], [("a", ["hello"])])
        self.assertEqual(shipper.lines_accepted, 1)

    def test_forgets_the_lines_of_a_lease_that_is_gone(self) -> None:
        buffer = LogBuffer(capacity=100)
        sender = FakeSender([WorkerApiError(409, "not current")])
        shipper = LogShipper(buffer, sender, Backoff(initial=0.01, maximum=0.02))
        buffer.append("a", line("late"))
        shipper.ship_once()
        self.assertEqual(len(buffer), 0)
        self.assertTrue(buffer.wait_sent("a", 0.01))
        self.assertEqual(sender.sent, [])


class AttemptLoggerTest(unittest.TestCase):
    def test_records_become_masked_lines_with_levels(self) -> None:
        buffer = LogBuffer(capacity=100)
        logger = attempt_logger("py-test", AttemptLogHandler("lease-1", buffer, SecretMasker({"K": "pa55"})))
        logger.debug("debugging")
        logger.info("password is %s", "pa55")
        logger.warning("careful")
        try:
            raise ValueError("boom pa55")
        except ValueError:
            logger.exception("it failed")
        lines = dict(buffer.take())["lease-1"]
        self.assertEqual([l["level"] for l in lines], ["debug", "info", "warn", "error"])
        self.assertEqual(lines[1]["message"], "password is ***")
        self.assertIn("ValueError: boom ***", lines[3]["message"])
        self.assertNotIn("pa55", "".join(l["message"] for l in lines))
        self.assertRegex(lines[0]["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_level_names_follow_the_protocol(self) -> None:
        self.assertEqual(
            [level_name(n) for n in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)],
            ["debug", "info", "warn", "error", "error"],
        )


if __name__ == "__main__":
    unittest.main()
