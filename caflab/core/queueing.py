"""Queue Celery tasks without ever letting a broker outage break the request.

Every app queues through `enqueue_on_commit` (or `enqueue` when already outside a
transaction). A task must be backed by a durable row (an outbox mail, a report request…) that a
periodic task picks up again, so that a message lost while Redis is down is only delayed.

A request spends at most one bounded attempt on a broker that does not answer: each publish is
bounded by the short socket timeouts of CELERY_BROKER_TRANSPORT_OPTIONS, and once a publish has
failed, or the publishes of the request have spent REQUEST_BROKER_BUDGET_SECONDS, the next ones
of the same request are skipped at once (logged; their rows wait for the periodic task). The
budget opens at `request_started` and closes at `request_finished` (NotificationsConfig.ready);
outside a request (worker, beat, commands) every publish is tried.
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What publishing can raise when the broker is unreachable or slow. OSError covers socket
# errors (ConnectionRefusedError, TimeoutError) that kombu lets through.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
)


# What the publishes of one request may spend in all; the socket timeouts bound one attempt
# (connect 0.05 s + reply 0.15 s), so a frozen broker costs a request about this, once.
REQUEST_BROKER_BUDGET_SECONDS = 0.2


@dataclass
class _Budget:
    seconds: float
    spent: float = 0.0
    failed: bool = False

    @property
    def exhausted(self) -> bool:
        return self.failed or self.spent >= self.seconds


# Per thread (a gunicorn thread serves one request at a time) and per asyncio task.
_request_budget: ContextVar[_Budget | None] = ContextVar("broker_budget", default=None)


def open_request_budget(**kwargs: Any) -> None:
    """`request_started` receiver: this request's publishes share one budget."""
    _request_budget.set(_Budget(seconds=REQUEST_BROKER_BUDGET_SECONDS))


def close_request_budget(**kwargs: Any) -> None:
    """`request_finished` receiver: what runs next in this thread is not this request."""
    _request_budget.set(None)


def _describe(args: tuple) -> str:
    """The ids of a task's arguments for a log line, a long list shortened."""
    text = repr(args)
    return text if len(text) <= 120 else f"{text[:100]}… ({len(text)} chars)"


def enqueue(task: Task, *args: Any, **options: Any) -> bool:
    """Publish `task(*args)`; on a broker error log a warning and return False. Within a
    request whose broker budget is spent (see the module's docstring), return False at once.

    `args` must be ids (they are logged), never objects nor personal data. `options` go to
    `apply_async` (queue, countdown…).
    """
    budget = _request_budget.get()
    if task.app.conf.task_always_eager:
        budget = None  # no broker: the task runs here, its own duration is no broker wait
    if budget is not None and budget.exhausted:
        logger.warning(
            "Broker skipped for the rest of this request, task %s%s not queued; it will be "
            "picked up again later.",
            task.name,
            _describe(args),
        )
        return False
    started = time.monotonic()
    try:
        task.apply_async(args=args, **options)
    except BROKER_ERRORS as exc:
        if budget is not None:
            budget.failed = True
        logger.warning(
            "Broker unavailable, task %s%s not queued (%s); it will be picked up again later.",
            task.name,
            _describe(args),
            type(exc).__name__,
        )
        return False
    finally:
        if budget is not None:
            budget.spent += time.monotonic() - started
    return True


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **options: Any) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(enqueue, task, *args, **options), using=using)
