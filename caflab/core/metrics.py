"""`/metrics` for Prometheus: django-prometheus' request counters and latency histograms, and
gauges read at scrape time (e-mails waiting in the outbox, the Celery queue's depth).

The page answers only a scraper that shows `METRICS_TOKEN` as a bearer token, or that comes
from an address in `METRICS_ALLOWED_IPS`; anyone else gets the ordinary 404 page, so the page
is not even known to exist. Neither set (the default): nobody.

Several gunicorn workers: each keeps its own counters; with `PROMETHEUS_MULTIPROC_DIR` set
(an empty directory, cleared at each start) prometheus_client shares them through files and
this page adds up every worker's (see gunicorn.conf.py and .env.example).
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from functools import lru_cache

import prometheus_client
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority p > 0 in `<queue>\x06\x16<p>`.
_REDIS_PRIORITY_STEPS = (0, 3, 6, 9)
_REDIS_PRIORITY_SEP = "\x06\x16"


def metrics(request: HttpRequest) -> HttpResponse:
    if not scraper_allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    # Our gauges are read now, by this process, whatever the multiprocess mode.
    ours = prometheus_client.CollectorRegistry(auto_describe=False)
    ours.register(CafLabCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(ours)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


def scraper_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
            return True
    networks = _networks(tuple(settings.METRICS_ALLOWED_IPS))
    if networks:
        from caflab.core.clientip import client_ip

        address = client_ip(request)
        if address is not None:
            ip = ipaddress.ip_address(address)
            return any(ip.version == net.version and ip in net for net in networks)
    return False


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from exc


class CafLabCollector(Collector):
    """Gauges computed when scraped: one cheap query or Redis round trip each."""

    def collect(self) -> Iterator[Metric]:
        yield from self._outbox()
        yield from self._celery_queue()

    def _outbox(self) -> Iterator[Metric]:
        from caflab.notifications.models import OutboxMail

        # Served by the partial index on pending rows (outbox_pending_idx).
        pending = OutboxMail.objects.pending()
        try:
            count = pending.count()
            oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
        except DatabaseError as exc:
            # The request metrics are still worth a scrape; the missing gauge is the alert.
            logger.warning("metrics: outbox unreadable (%s)", type(exc).__name__)
            return
        yield GaugeMetricFamily(
            "caflab_outbox_pending", "E-mails waiting in the outbox.", value=count
        )
        age = (timezone.now() - oldest).total_seconds() if oldest else 0
        yield GaugeMetricFamily(
            "caflab_outbox_oldest_pending_seconds",
            "Age of the oldest e-mail waiting in the outbox (0 when none).",
            value=age,
        )

    def _celery_queue(self) -> Iterator[Metric]:
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return  # eager tasks (no broker): there is no queue
        import redis

        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        up = GaugeMetricFamily(
            "caflab_celery_broker_up", "1 when the Celery broker (Redis) answered the scrape."
        )
        depth = GaugeMetricFamily(
            "caflab_celery_queue_depth", "Tasks waiting in the Celery queue.", labels=["queue"]
        )
        try:
            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            with client.pipeline(transaction=False) as pipe:
                for priority in _REDIS_PRIORITY_STEPS:
                    pipe.llen(f"{queue}{_REDIS_PRIORITY_SEP}{priority}" if priority else queue)
                waiting = sum(pipe.execute())
            client.close()
        except redis.RedisError as exc:
            logger.warning("metrics: broker unreachable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        depth.add_metric([queue], waiting)
        yield up
        yield depth
