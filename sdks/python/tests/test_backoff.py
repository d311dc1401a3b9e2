import unittest

from flowctl_worker.backoff import Backoff


class BackoffTest(unittest.TestCase):
    def test_doubles_up_to_the_maximum(self) -> None:
        backoff = Backoff(initial=0.5, maximum=4.0, rand=lambda: 1.0)
        self.assertEqual([backoff.next_delay() for _ in range(6)], [0.5, 1.0, 2.0, 4.0, 4.0, 4.0])

    def test_jitter_stays_in_the_upper_half_of_each_ceiling(self) -> None:
        low = Backoff(initial=1.0, maximum=8.0, rand=lambda: 0.0)
        self.assertEqual([low.next_delay() for _ in range(4)], [0.5, 1.0, 2.0, 4.0])

    def test_reset_starts_over_and_counts_failures(self) -> None:
        backoff = Backoff(initial=1.0, maximum=8.0, rand=lambda: 1.0)
        backoff.next_delay()
        backoff.next_delay()
        self.assertEqual(backoff.failures, 2)
        backoff.reset()
        self.assertEqual(backoff.failures, 0)
        self.assertEqual(backoff.next_delay(), 1.0)

    def test_many_failures_do_not_overflow(self) -> None:
        backoff = Backoff(initial=0.1, maximum=2.0, rand=lambda: 1.0)
        for _ in range(2000):
            delay = backoff.next_delay()
        self.assertEqual(delay, 2.0)

    def test_rejects_nonsense(self) -> None:
        with self.assertRaises(ValueError):
            Backoff(initial=0)
        with self.assertRaises(ValueError):
            Backoff(initial=2, maximum=1)


if __name__ == "__main__":
    unittest.main()
