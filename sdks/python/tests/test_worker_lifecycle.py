"""The Worker's own life, with no scheduler (or an absent one): registration, stopping, never crashing."""

import socket
import threading
import time
import unittest

from flowctl_worker import Worker


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WorkerLifecycleTest(unittest.TestCase):
    def test_registration_rejects_duplicates_and_bad_names(self) -> None:
        worker = Worker(server="http://127.0.0.1:1")
        worker.register("a", lambda input, ctx: None)
        with self.assertRaises(ValueError):
            worker.register("a", lambda input, ctx: None)
        for bad in ("", "Py-Square", "-lead", "x" * 64):
            with self.assertRaises(ValueError):
                worker.task(bad)(lambda input, ctx: None)
        with self.assertRaises(TypeError):
            worker.register("b", "not callable")  # type: ignore[arg-type]
        self.assertEqual(worker.task_types, ["a"])

    def test_run_without_handlers_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            Worker(server="http://127.0.0.1:1").run()

    def test_bad_settings_are_rejected(self) -> None:
        with self.assertRaises(ValueError):
            Worker(server="ftp://example", concurrency=1)
        with self.assertRaises(ValueError):
            Worker(server="http://127.0.0.1:1", concurrency=0)
        with self.assertRaises(ValueError):
            Worker(server="http://127.0.0.1:1", poll_wait=31)

    def test_keeps_retrying_an_unreachable_scheduler_and_stops_when_asked(self) -> None:
        worker = Worker(server=f"http://127.0.0.1:{closed_port()}", poll_wait=1.0)
        worker.register("x", lambda input, ctx: None)
        thread = threading.Thread(target=worker.run, daemon=True)
        with self.assertLogs("flowctl_worker", "WARNING") as logs:
            thread.start()
            time.sleep(1.0)
            self.assertTrue(thread.is_alive())
            worker.stop()
            thread.join(5.0)
        self.assertFalse(thread.is_alive())
        self.assertTrue(any("cannot poll" in line for line in logs.output))

    def test_reads_server_and_token_from_the_environment(self) -> None:
        import os
        from unittest import mock

        with mock.patch.dict(os.environ, {"FLOWCTL_SERVER": "http://scheduler.example:9000", "FLOWCTL_TOKEN": "t0k"}):
            worker = Worker()
        self.assertEqual(worker.server, "http://scheduler.example:9000")
        self.assertEqual(worker._api._headers["Authorization"], "Bearer t0k")  # type: ignore[attr-defined]


if __name__ == "__main__":
    unittest.main()
