"""`/metrics`: request counters and latency by view, our gauges read at scrape time, and a 404
for anyone without the bearer token or an allowed address."""

import pytest
from django.urls import reverse

from caflab.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

URL = reverse("core:metrics")
TOKEN = "scrape-token-for-tests-only"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return settings


def test_the_scraper_with_the_token_reads_requests_by_view_and_our_gauges(
    client, agent_a, metrics_settings
):
    OutboxMail.objects.create(recipient=agent_a, subject="Bienvenue", body="…")
    OutboxMail.objects.create(recipient=agent_a, subject="Envoyé", body="…", status="sent")
    client.get(reverse("core:home"))
    response = client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method_total{" in text
    assert 'view="core:home"' in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket{" in text
    assert "\ncaflab_outbox_pending 1.0\n" in text
    assert "caflab_outbox_oldest_pending_seconds" in text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_without_the_token_the_page_does_not_exist(client, metrics_settings, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(URL, headers=headers)
    assert response.status_code == 404
    assert b"caflab_outbox_pending" not in response.content


def test_with_no_token_configured_even_an_empty_bearer_gets_404(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get(URL, headers={"Authorization": "Bearer "}).status_code == 404


def test_an_allowed_network_scrapes_without_token_as_the_client_ip_sees_it(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXIES = ["192.0.2.1"]
    settings.TRUSTED_PROXY_COUNT = 0
    inside = client.get(URL, REMOTE_ADDR="192.0.2.1", headers={"X-Forwarded-For": "10.1.2.3"})
    assert inside.status_code == 200
    # a client outside, forging the header without going through our proxy
    forged = client.get(URL, REMOTE_ADDR="203.0.113.7", headers={"X-Forwarded-For": "10.1.2.3"})
    assert forged.status_code == 404
    outside = client.get(URL, REMOTE_ADDR="192.0.2.1", headers={"X-Forwarded-For": "8.8.8.8"})
    assert outside.status_code == 404


def test_the_celery_queue_depth_is_read_from_redis_when_it_is_the_broker(client, metrics_settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        broker = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        broker.delete("celery", "celery\x06\x163")
        broker.rpush("celery", "a", "b")
        broker.rpush("celery\x06\x163", "c")
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    metrics_settings.CELERY_BROKER_URL = url
    try:
        text = client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    finally:
        broker.delete("celery", "celery\x06\x163")
    assert "\ncaflab_celery_broker_up 1.0\n" in text
    assert 'caflab_celery_queue_depth{queue="celery"} 3.0' in text


def test_an_unreachable_broker_is_reported_down_not_an_error(client, metrics_settings):
    metrics_settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "\ncaflab_celery_broker_up 0.0\n" in response.content.decode()
