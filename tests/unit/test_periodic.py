"""The one periodic loop and the one back-off (shared/periodic.py), on a fake stop event."""

from __future__ import annotations

import pytest

from shared.periodic import Backoff, every


class FakeStop:
    """A stop event that never sleeps: records each wait and is set after ``rounds`` of them."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.waits: list[float | None] = []

    def is_set(self) -> bool:
        return len(self.waits) >= self.rounds

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def test_backoff_doubles_from_first_up_to_the_cap_and_starts_again_after_a_reset() -> None:
    backoff = Backoff(0.2, 1.0)
    assert [backoff.next() for _ in range(5)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    backoff.reset()
    assert backoff.peek() == 0.2
    assert backoff.next() == 0.2


def test_backoff_waits_its_next_delay_on_the_stop_event_and_says_when_stopped() -> None:
    backoff = Backoff(1.0, 10.0)
    stop = FakeStop(rounds=3)
    assert [backoff.wait(stop) for _ in range(3)] == [False, False, True]
    assert stop.waits == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(("first", "cap"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)])
def test_backoff_refuses_delays_that_cannot_grow_to_their_cap(first: float, cap: float) -> None:
    with pytest.raises(ValueError, match="first"):
        Backoff(first, cap)


def test_every_runs_the_task_once_per_interval_until_stopped() -> None:
    runs: list[int] = []
    stop = FakeStop(rounds=4)
    every(30.0, lambda: runs.append(1), stop, failure="test.failed")
    # Three intervals passed, the fourth wait found stop set: three runs.
    assert stop.waits == [30.0, 30.0, 30.0, 30.0]
    assert len(runs) == 3


def test_every_keeps_going_after_a_failing_round() -> None:
    calls: list[int] = []

    def task() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database is away")

    every(1.0, task, FakeStop(rounds=3), failure="test.failed")
    assert len(calls) == 2


def test_every_does_not_run_the_task_when_stopped_before_the_first_interval() -> None:
    runs: list[int] = []
    every(1.0, lambda: runs.append(1), FakeStop(rounds=0), failure="test.failed")
    assert runs == []


def test_every_refuses_an_interval_that_would_spin() -> None:
    with pytest.raises(ValueError, match="seconds"):
        every(0, lambda: None, FakeStop(rounds=1), failure="test.failed")
