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
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
