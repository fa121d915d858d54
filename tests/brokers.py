"""Watch the Celery tasks a test queues, through Celery itself (no patch of our code).

`published_tasks`: the Celery app publishes for real, to kombu's in-memory broker, and the
`after_task_publish` signal records each message; nothing runs (as when a worker is busy).
`tasks_run`: tasks stay eager (tests.settings), and `task_prerun` records each one that ran.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from celery import signals

from caflab.celery import app as celery_app

MEMORY_BROKER = "memory://localhost/"


def _forget_connections() -> None:
    """Drop the app's connection and producer pools, so the next publish uses the new URL."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@dataclass
class Published:
    """The messages published, oldest first: (task name, args) and their options."""

    messages: list[tuple[str, tuple]] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)

    def of(self, task) -> list[tuple]:
        """The args of each message of `task`."""
        return [args for name, args in self.messages if name == task.name]

    def _record(self, sender=None, headers=None, body=None, **kwargs) -> None:
        args = tuple(body[0]) if isinstance(body, (list, tuple)) else ()
        self.messages.append((sender, args))
        self.options.append({"eta": (headers or {}).get("eta")})


@pytest.fixture
def published_tasks(monkeypatch) -> Iterator[Published]:
    """Publish for real to an in-memory broker and record every message (no task runs)."""
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", MEMORY_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager")}
    conf.update(broker_url=MEMORY_BROKER, broker_write_url=None, task_always_eager=False)
    _forget_connections()
    published = Published()
    signals.after_task_publish.connect(published._record, weak=False)
    try:
        yield published
    finally:
        signals.after_task_publish.disconnect(published._record)
        conf.update(saved)
        _forget_connections()


@dataclass
class Ran:
    """The tasks that ran in-process (eagerly), oldest first: (short task name, args)."""

    calls: list[tuple[str, tuple]] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(1 for task, _args in self.calls if task == name)

    def _record(self, sender=None, args=None, **kwargs) -> None:
        self.calls.append((sender.name.rsplit(".", 1)[-1], tuple(args or ())))


@pytest.fixture
def tasks_run() -> Iterator[Ran]:
    """Record the tasks run eagerly (each one a broker message in production)."""
    ran = Ran()
    signals.task_prerun.connect(ran._record, weak=False)
    try:
        yield ran
    finally:
        signals.task_prerun.disconnect(ran._record)


DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@dataclass
class DeadBroker:
    saved: dict[str, Any]

    def back(self) -> None:
        """Redis is back: tasks run in-process again, as everywhere in the tests."""
        celery_app.conf.update(self.saved)
        _forget_connections()


@pytest.fixture
def dead_broker(monkeypatch) -> Iterator[DeadBroker]:
    """Publish for real (not eagerly) to a closed port: the real broker outage."""
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager")}
    conf.update(broker_url=DEAD_BROKER, broker_write_url=None, task_always_eager=False)
    _forget_connections()
    broker = DeadBroker(saved)
    yield broker
    broker.back()
