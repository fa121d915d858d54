"""Log lines as JSON (one object a line), and the filter that keeps secrets out of any line.

`JsonFormatter` writes the standard fields (time, level, logger, message), the request id of
the request being served, and the record's *scalar* extras (`logger.info("…", extra={…})`):
objects (an `HttpRequest`, Celery's `data` dict with a task's arguments) are left out rather
than written through their `repr`, which may hold a token path or personal data.

`ScrubFilter` (on the handler, so every logger's lines pass through it) rewrites the paths and
request lines that Django's own loggers put in their arguments ("Not Found: /…/<token>/",
runserver's "GET /…?q=… HTTP/1.1"), through the URLconf-driven scrubber of
caflab.core.requestlog.

No Django import at module level: logging is configured before the apps are loaded.
"""

import contextvars
import datetime
import json
import logging
import re

# The id of the request (or task) being served, set by caflab.core.requestlog.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "caflab_request_id", default=None
)

# Attributes every LogRecord has: anything else on a record came from `extra`.
_RECORD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)
_SCALARS = (str, int, float, bool, type(None))
_REQUEST_LINE = re.compile(r"^([A-Z]{3,10}) (\S+) (HTTP/[\d.]+)$")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `ts` (UTC, ISO 8601), `level`, `logger`, `message`,
    `request_id` when serving one, scalar extras, and `exc` (the traceback) on exceptions."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and key not in line and isinstance(value, _SCALARS):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class ScrubFilter(logging.Filter):
    """Rewrite path-like and request-line arguments of any record so that no secret path
    reaches a handler. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(scrub_log_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict) and record.args:
            record.args = {key: scrub_log_arg(value) for key, value in record.args.items()}
        return True


def scrub_log_arg(value: object) -> object:
    """A log argument with its path or request line scrubbed; anything else as it is."""
    if not isinstance(value, str):
        return value
    from caflab.core.requestlog import scrub_path

    if value.startswith("/"):
        return scrub_path(value)
    match = _REQUEST_LINE.match(value)
    if match:
        method, target, protocol = match.groups()
        return f"{method} {scrub_path(target)} {protocol}"
    return value
