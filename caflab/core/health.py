"""Liveness checks for the load balancer and the monitoring: the database and the broker.

Each check answers "ok", "error" or, for the optional broker, "not configured"; it never raises
and never waits more than about a second, so the health page stays fast when Redis is down.
"""

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"
NOT_CONFIGURED = "not configured"
BROKER_TIMEOUT = 1  # seconds


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a failed check, never a 500
        logger.warning("Health check: database unreachable (%s)", type(exc).__name__)
        return ERROR
    return OK


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return NOT_CONFIGURED
    try:
        with Connection(
            url,
            connect_timeout=BROKER_TIMEOUT,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT,
                "socket_timeout": BROKER_TIMEOUT,
            },
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
            )
    except Exception as exc:
        # The exception text may carry the broker URL and its password: log the type only.
        logger.warning("Health check: broker unreachable (%s)", type(exc).__name__)
        return ERROR
    return OK


def run_checks() -> dict[str, str]:
    return {"database": check_database(), "broker": check_broker()}


def is_healthy(results: dict[str, str]) -> bool:
    return ERROR not in results.values()
