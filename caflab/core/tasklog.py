"""One log line per Celery task run, on the `caflab.tasks` logger: task name, id, outcome
(success, failure, retry), duration, retries so far, and the exception's class on failure.
Never the arguments, never the exception's message (it may quote what a user typed), and the
result only when it is a status word ("sent", "skipped"…: what an operator needs to see that a
redelivered task did nothing), never a value that could carry data.

Connected from caflab/celery.py, so that workers and eager runs in the web process alike log.
No Django import: the Celery app imports this before Django is set up.
"""

import logging
import re
import time
from typing import Any

from celery import signals

logger = logging.getLogger("caflab.tasks")

# task id -> (perf_counter at start, class name of the exception once task_failure says so).
# Pre- and post-run signals fire in the process (and thread) that runs the task.
_running: dict[str, list[Any]] = {}

# A task's result is logged only when it is such a word (a status, not data).
STATUS_WORD = re.compile(r"[a-z_]{1,24}")

_LEVELS = {"success": logging.INFO, "retry": logging.WARNING, "failure": logging.ERROR}


def connect() -> None:
    """Connect the handlers (idempotent: each has a dispatch_uid)."""
    signals.task_prerun.connect(_on_prerun, dispatch_uid="caflab.tasklog.prerun", weak=False)
    signals.task_failure.connect(_on_failure, dispatch_uid="caflab.tasklog.failure", weak=False)
    signals.task_postrun.connect(_on_postrun, dispatch_uid="caflab.tasklog.postrun", weak=False)


def _on_prerun(sender=None, task_id: str | None = None, **_: Any) -> None:
    if task_id is not None:
        _running[task_id] = [time.perf_counter(), None]


def _on_failure(sender=None, task_id: str | None = None, exception=None, **_: Any) -> None:
    if task_id in _running and exception is not None:
        _running[task_id][1] = type(exception).__name__


def _on_postrun(
    sender=None, task_id: str | None = None, task=None, state=None, retval=None, **_: Any
) -> None:
    started, error = _running.pop(task_id, (None, None)) if task_id else (None, None)
    outcome = {"SUCCESS": "success", "RETRY": "retry", "FAILURE": "failure"}.get(
        str(state), str(state or "unknown").lower()
    )
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    request = getattr(task, "request", None)
    fields: dict[str, Any] = {
        "task": getattr(task, "name", None) or getattr(sender, "name", None),
        "task_id": task_id,
        "outcome": outcome,
        "duration_ms": duration_ms,
        "retries": getattr(request, "retries", 0) or 0,
        "eager": bool(getattr(request, "is_eager", False)),
    }
    if error is not None:
        fields["error"] = error
    if isinstance(retval, str) and STATUS_WORD.fullmatch(str.__str__(retval)):
        fields["result"] = str.__str__(retval)  # an enum's value, not "Status.SKIPPED"
    logger.log(
        _LEVELS.get(outcome, logging.WARNING),
        "task %s %s %sms",
        fields["task"],
        outcome,
        duration_ms,
        extra=fields,
    )
