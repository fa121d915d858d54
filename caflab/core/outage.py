"""When the database is unreachable: a calm 503 page instead of a 500.

A request that fails because PostgreSQL cannot be reached (connection refused or dropped, the
server shutting down, starting up or out of connections) ends in Django's handler500;
`caflab.core.views.server_error` asks `is_database_outage` and answers with
`maintenance_response`: status 503, `Retry-After`, a French page rendered without the database
(no user, no context processor). A refused form submission says so plainly: nothing was
recorded, so nothing is silently lost.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 120
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# SQLSTATEs of a server that is going away, starting, or full; a missing SQLSTATE means the
# server never answered (connection refused or lost).
OUTAGE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether `exc` says the database could not be reached, as opposed to a bug (a missing
    table, a bad query: those stay 500s). Django wraps the driver's errors and keeps them as
    the cause."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or unusable
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    module = type(cause).__module__ if cause is not None else ""
    if not module.startswith("psycopg"):
        return False  # SQLite's "no such table" and the like
    sqlstate = getattr(cause, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in OUTAGE_SQLSTATES


def maintenance_response(request: HttpRequest) -> HttpResponse:
    template = loader.get_template("503.html")
    context = {
        "refused_submission": request.method not in SAFE_METHODS,
        "retry_minutes": RETRY_AFTER_SECONDS // 60,
    }
    response = HttpResponse(template.render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
