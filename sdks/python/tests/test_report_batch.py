import threading
import time
import unittest
from typing import Any, Dict, List

from flowctl_worker.errors import WorkerApiError
from flowctl_worker.report_batch import ReportBatch


class SlowBatchApi:
    """Takes a while to answer each call, recording what each carried; optionally without the batch route."""

    def __init__(self, has_batch_route: bool = True) -> None:
        self.has_batch_route = has_batch_route
        self.calls: List[Any] = []
        self.lock = threading.Lock()

    def reports(self, reports: List[Dict[str, Any]]) -> Dict[str, Any]:
        if not self.has_batch_route:
            raise WorkerApiError(404, "Cannot POST /api/v1/worker/reports")
        with self.lock:
            self.calls.append([report["leaseId"] for report in reports])
        time.sleep(0.05)
        return {"results": [{"leaseId": r["leaseId"], "status": "gone" if r["leaseId"] == "old" else "recorded"} for r in reports]}

    def complete(self, lease_id: str, output: Any) -> None:
        with self.lock:
            self.calls.append(("complete", lease_id))

    def fail(self, lease_id: str, error: Dict[str, Any], details: Any = None) -> None:
        with self.lock:
            self.calls.append(("fail", lease_id))


class ReportBatchTest(unittest.TestCase):
    def report_from_threads(self, batch: ReportBatch, lease_ids: List[str]) -> Dict[str, Any]:
        outcomes: Dict[str, Any] = {}

        def send(lease_id: str) -> None:
            try:
                batch.complete(lease_id, {"n": 1})
                outcomes[lease_id] = "recorded"
            except WorkerApiError as error:
                outcomes[lease_id] = error.status

        threads = [threading.Thread(target=send, args=(lease_id,)) for lease_id in lease_ids]
        for thread in threads:
            thread.start()
            time.sleep(0.001)
        for thread in threads:
            thread.join(5)
        return outcomes

    def test_reports_finishing_while_a_call_is_out_go_together_in_the_next(self) -> None:
        api = SlowBatchApi()
        lease_ids = [f"l{i}" for i in range(20)] + ["old"]
        outcomes = self.report_from_threads(ReportBatch(api), lease_ids)  # type: ignore[arg-type]
        self.assertEqual(outcomes, {**{lease_id: "recorded" for lease_id in lease_ids[:-1]}, "old": 409})
        self.assertEqual(sorted(lease_id for call in api.calls for lease_id in call), sorted(lease_ids))
        self.assertEqual(api.calls[0], ["l0"])  # a lone report waits for nothing
        self.assertLess(len(api.calls), 6)

    def test_a_scheduler_without_the_batch_route_gets_each_report_alone(self) -> None:
        api = SlowBatchApi(has_batch_route=False)
        batch = ReportBatch(api)  # type: ignore[arg-type]
        batch.complete("a", 1)
        batch.fail("b", {"type": "E", "message": "m"})
        self.assertEqual(api.calls, [("complete", "a"), ("fail", "b")])


if __name__ == "__main__":
    unittest.main()
