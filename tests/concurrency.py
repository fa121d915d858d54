"""Races on PostgreSQL: `run_together` releases n threads at once, each with its own database
connection, and collects what each returned or raised. `RACE` marks a module whose tests need
PostgreSQL's concurrent transactions (SQLite serialises writers: there is no race to show) and
real transactions."""

import threading

import pytest
from django.db import connection, connections

RACE = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real race needs PostgreSQL's concurrent transactions (SQLite serialises writes)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(target, n: int) -> list:
    """Run `target()` in n threads released together; each closes its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            outcome = target()
        except Exception as exc:  # collected for the assertion, never swallowed
            outcome = exc
        # Kept before the connection is closed: an error while closing is printed by the
        # thread, and never costs the assertion an outcome.
        with lock:
            outcomes.append(outcome)
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    # A thread still running counts as an outcome of its own, so that an assertion on the
    # outcomes names it instead of finding one answer fewer.
    stuck = sum(thread.is_alive() for thread in threads)
    with lock:
        outcomes.extend(
            TimeoutError(f"thread still running after {JOIN_SECONDS} s") for _ in range(stuck)
        )
        return list(outcomes)


JOIN_SECONDS = 120


def unexpected(outcomes: list, *expected: type) -> list:
    """The outcomes that are none of `expected`: what a failing race assertion shows."""
    return [outcome for outcome in outcomes if not isinstance(outcome, expected)]
