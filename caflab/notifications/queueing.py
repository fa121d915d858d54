"""Queue Celery tasks without ever letting a broker outage break the request.

Every app queues through `enqueue_on_commit` (or `enqueue` when already outside a
transaction). A task must be backed by a durable row (an outbox mail, a report request…) that a
periodic task picks up again, so that a message lost while Redis is down is only delayed.
"""

import logging
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


def enqueue(task: Task, *args: Any, **options: Any) -> bool:
    """Publish `task(*args)`; on a broker error log a warning and return False.

    `args` must be ids (they are logged), never objects nor personal data. `options` go to
    `apply_async` (queue, countdown…).
    """
    try:
        task.apply_async(args=args, **options)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Broker unavailable, task %s%r not queued (%s); it will be picked up again later.",
            task.name,
            args,
            type(exc).__name__,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **options: Any) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(enqueue, task, *args, **options), using=using)
