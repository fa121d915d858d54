"""Health of the platform, told honestly: liveness, readiness, the worker's heartbeat and the
"Exploitation" page's figures.

- Liveness (`/healthz`): the process answers and the database is reachable. Redis (broker or
  cache) being down is *degraded*, not down: pages keep working (the outbox keeps the mails),
  so a load balancer must keep the node. Only an unreachable database answers 503.
- Readiness (`/readyz`): stricter, for deploys: the database answers, every migration is
  applied, and the broker answers when one is configured.
- The worker's heartbeat: beat publishes `caflab.core.tasks.record_heartbeat` every minute and
  the worker records when it ran it (database row + cache). Web nodes cannot see beat itself (its
  schedule file lives on its own host), so a stale heartbeat means "beat or the worker stopped";
  the broker's queue length tells which (messages piling up: the worker; an empty queue: beat).
  The time between beat publishing the task and the worker running it is the queue latency.

Every probe has a short timeout and never raises: a check that fails is a value, not a 500.
Bodies carry statuses, counts and ages only, never personal data nor a URL with a password.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import redis
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from redis.backoff import NoBackoff
from redis.retry import Retry

from caflab.core.models import Heartbeat

logger = logging.getLogger(__name__)

# Component statuses.
OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not_configured"
STALE = "stale"
PENDING = "pending"
DEGRADING = (UNAVAILABLE, STALE)  # a component in one of these degrades the liveness
# Overall statuses.
DEGRADED = "degraded"
DOWN = "down"

STATUS_LABELS = {
    OK: _("Opérationnel"),
    UNAVAILABLE: _("Indisponible"),
    NOT_CONFIGURED: _("Non configuré (tâches exécutées dans le serveur web)"),
    STALE: _("Aucun signe de vie récent"),
    PENDING: _("Migrations à appliquer"),
}

PROBE_TIMEOUT = 1.0  # seconds, for each network probe (connect, then each reply)
WORKER = "worker"
# The heartbeat runs every minute; a few missed ticks (a deploy, a long task) are not an alarm.
WORKER_STALE_AFTER = timedelta(minutes=5)
HEARTBEAT_CACHE_KEY = "core:heartbeat:{name}"
# Background jobs with a result whose pending rows the "Exploitation" page counts: (label,
# app_label.ModelName). Looked up by name so that the core imports no domain app.
JOB_MODELS = (
    (_("Exports de réponses (écoute)"), "ecoute.ExportJob"),
    (_("Rapports d’impact (évaluation)"), "evaluation.ImpactReport"),
)
JOB_PENDING_STATUSES = ("queued", "running")
JOB_FAILED_STATUS = "failed"


# --- probes ---------------------------------------------------------------------------------


def check_database(connection: BaseDatabaseWrapper | None = None) -> str:
    """`ok` when `SELECT 1` answers on `connection` (the default database), else `unavailable`."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a failed check, never a 500
        logger.warning("Health check: database unreachable (%s)", type(exc).__name__)
        return UNAVAILABLE
    return OK


def broker_configured() -> bool:
    """False for the embedded default: no broker URL, tasks run in-process after the commit."""
    return bool(settings.CELERY_BROKER_URL)


def _redis_client(url: str) -> redis.Redis:
    # No retry and short timeouts: a frozen Redis accepts the TCP connection and never answers,
    # so both the connect and the reply need a bound (kombu's connection retries instead).
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=PROBE_TIMEOUT,
        socket_timeout=PROBE_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
        health_check_interval=0,
    )


@dataclass
class BrokerProbe:
    status: str
    queue_length: int | None = None


def probe_broker() -> BrokerProbe:
    """Ping the broker; with Redis also read the length of the default queue."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return BrokerProbe(NOT_CONFIGURED)
    scheme = urlsplit(url).scheme
    if scheme == "memory":  # in-process transport: nothing to reach
        return BrokerProbe(OK)
    if scheme not in ("redis", "rediss"):
        logger.warning("Health check: broker scheme %r is not probed", scheme)
        return BrokerProbe(UNAVAILABLE)
    client = _redis_client(url)
    try:
        client.ping()
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        queue_length = int(client.llen(queue))
    except (redis.RedisError, OSError) as exc:
        # The exception text may carry the broker URL and its password: log the type only.
        logger.warning("Health check: broker unreachable (%s)", type(exc).__name__)
        return BrokerProbe(UNAVAILABLE)
    finally:
        client.close()
    return BrokerProbe(OK, queue_length)


def check_cache() -> str:
    """Ping Redis when it is the cache (the cache itself swallows Redis errors, by design)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.startswith("django_redis."):
        return OK  # local memory: always there
    from django_redis import get_redis_connection

    try:
        get_redis_connection("default").ping()
    except (redis.RedisError, OSError) as exc:
        logger.warning("Health check: cache unreachable (%s)", type(exc).__name__)
        return UNAVAILABLE
    return OK


# --- migrations -----------------------------------------------------------------------------

_fully_migrated = False  # per process, cached once true: migrations are never un-applied live


def unapplied_migrations(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """The migrations `migrate` would apply now ("app.name"); empty when fully migrated."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> str:
    """`ok` once every migration is applied. Loading the migration graph reads every migration
    file (tens of milliseconds): done per probe until it succeeds, then never again."""
    global _fully_migrated
    if _fully_migrated:
        return OK
    try:
        pending = unapplied_migrations()
    except Exception as exc:
        logger.warning("Readiness: migration state unknown (%s)", type(exc).__name__)
        return UNAVAILABLE
    if pending:
        logger.warning("Readiness: %s unapplied migration(s)", len(pending))
        return PENDING
    _fully_migrated = True
    return OK


def forget_migration_state() -> None:
    """Check the migrations again on the next probe (tests, after changing the recorded ones)."""
    global _fully_migrated
    _fully_migrated = False


# --- heartbeats -----------------------------------------------------------------------------


def heartbeat_record(*, name: str, published_at: datetime | None = None) -> Heartbeat:
    """Record that `name` is alive now (database, then cache). `published_at`: when beat
    published the task being run, for the queue latency."""
    now = timezone.now()
    heartbeat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": now, "published_at": published_at}
    )
    cache.set(
        HEARTBEAT_CACHE_KEY.format(name=name),
        {"last_seen": now, "published_at": published_at},
        timeout=None,
    )
    return heartbeat


def heartbeat_read(name: str, *, use_cache: bool = True) -> Heartbeat | None:
    """The last heartbeat of `name`: from the cache, else (flushed, Redis down) the database.
    `use_cache=False` when the cache probe just failed: a frozen Redis would cost a timeout."""
    cached = cache.get(HEARTBEAT_CACHE_KEY.format(name=name)) if use_cache else None
    if cached:
        return Heartbeat(name=name, **cached)
    return Heartbeat.objects.filter(name=name).first()


def worker_status(heartbeat: Heartbeat | None, *, now: datetime) -> str:
    if not broker_configured():
        return NOT_CONFIGURED  # embedded default: no beat, no worker, tasks run in-process
    if heartbeat is None or now - heartbeat.last_seen > WORKER_STALE_AFTER:
        return STALE
    return OK


# --- outbox and jobs --------------------------------------------------------------------------


@dataclass
class OutboxFigures:
    pending: int
    failed: int
    oldest_pending_at: datetime | None

    def oldest_pending_seconds(self, now: datetime) -> int | None:
        if self.oldest_pending_at is None:
            return None
        return max(0, int((now - self.oldest_pending_at).total_seconds()))


def outbox_figures() -> OutboxFigures:
    """One query: waiting mails (pending, or claimed by a worker and not yet recorded as sent)
    and failed ones, the oldest waiting one's creation time."""
    from caflab.notifications.models import OutboxMail

    waiting = Q(status__in=[OutboxMail.Status.PENDING, OutboxMail.Status.SENDING])
    figures = OutboxMail.objects.aggregate(
        pending=Count("pk", filter=waiting),
        failed=Count("pk", filter=Q(status=OutboxMail.Status.FAILED)),
        oldest=Min("created_at", filter=waiting),
    )
    return OutboxFigures(figures["pending"], figures["failed"], figures["oldest"])


@dataclass
class JobFigures:
    label: str
    pending: int
    failed: int


def job_figures() -> list[JobFigures]:
    """Pending (queued or running) and failed background jobs, one query per job model."""
    rows = []
    for label, model_name in JOB_MODELS:
        try:
            model = apps.get_model(model_name)
        except LookupError:
            continue
        counts = model.objects.aggregate(
            pending=Count("pk", filter=Q(status__in=JOB_PENDING_STATUSES)),
            failed=Count("pk", filter=Q(status=JOB_FAILED_STATUS)),
        )
        rows.append(JobFigures(label, counts["pending"], counts["failed"]))
    return rows


# --- reports ----------------------------------------------------------------------------------


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


@dataclass
class Liveness:
    status: str
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return 503 if self.status == DOWN else 200


def liveness() -> Liveness:
    """The database decides up or down; the broker, the cache and the worker only degrade."""
    database = check_database()
    broker = probe_broker()
    cache_status = check_cache()
    body: dict[str, Any] = {
        "status": OK,
        "database": database,
        "broker": broker.status,
        "cache": cache_status,
    }
    if database != OK:
        body["status"] = DOWN
        return Liveness(DOWN, body)
    now = timezone.now()
    try:
        heartbeat = heartbeat_read(WORKER, use_cache=cache_status == OK)
        outbox = outbox_figures()
    except Exception as exc:  # the database went away between the checks
        logger.warning("Health check: figures unavailable (%s)", type(exc).__name__)
        body.update(status=DOWN, database=UNAVAILABLE)
        return Liveness(DOWN, body)
    body.update(
        worker=worker_status(heartbeat, now=now),
        worker_last_run_seconds=_seconds_since(heartbeat and heartbeat.last_seen, now),
        worker_queue_latency_seconds=heartbeat.queue_latency if heartbeat else None,
        broker_queue_length=broker.queue_length,
        outbox_pending=outbox.pending,
        outbox_oldest_pending_seconds=outbox.oldest_pending_seconds(now),
    )
    degraded = [name for name in ("broker", "cache", "worker") if body[name] in DEGRADING]
    if degraded:
        body.update(status=DEGRADED, degraded=degraded)
    return Liveness(body["status"], body)


def readiness() -> tuple[bool, dict[str, str]]:
    """Ready for traffic after a deploy: database, migrations, and the broker if configured."""
    results = {"database": check_database()}
    results["migrations"] = check_migrations() if results["database"] == OK else UNAVAILABLE
    results["broker"] = probe_broker().status
    ready = all(value in (OK, NOT_CONFIGURED) for value in results.values())
    return ready, {"status": OK if ready else "not_ready", **results}


@dataclass
class OperationsReport:
    """What the "Exploitation" page shows administrators."""

    database: str
    broker: str
    broker_queue_length: int | None
    cache: str
    worker: str
    heartbeat: Heartbeat | None
    outbox: OutboxFigures
    jobs: list[JobFigures]
    version: str
    now: datetime

    @property
    def components(self) -> list[dict[str, Any]]:
        """One row per component: its label, status code and French status label."""
        rows = [
            (_("Base de données"), self.database),
            (_("File de tâches (broker Redis)"), self.broker),
            (_("Cache"), self.cache),
            (_("Worker Celery et ordonnanceur (beat)"), self.worker),
        ]
        return [
            {"label": label, "status": status, "status_label": STATUS_LABELS.get(status, status)}
            for label, status in rows
        ]


def operations_report() -> OperationsReport:
    now = timezone.now()
    broker = probe_broker()
    cache_status = check_cache()
    heartbeat = heartbeat_read(WORKER, use_cache=cache_status == OK)
    return OperationsReport(
        database=check_database(),
        broker=broker.status,
        broker_queue_length=broker.queue_length,
        cache=cache_status,
        worker=worker_status(heartbeat, now=now),
        heartbeat=heartbeat,
        outbox=outbox_figures(),
        jobs=job_figures(),
        # Set by the deploy (the git commit); read here because only this page shows it.
        version=settings.APP_VERSION,
        now=now,
    )


def can_view_operations(user: Any) -> bool:
    """Administrators: Django staff, superusers, or the "admin" role."""
    from caflab.accounts.models import Role

    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.role == Role.ADMIN)
    )
