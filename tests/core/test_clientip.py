"""The visitor's address: REMOTE_ADDR unless it is one of our proxies, then X-Forwarded-For
walked from the right past our own hops; one function, used by every limit and by axes."""

import re
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from caflab.core.clientip import client_ip

PROXY = "10.0.0.2"
VISITOR = "198.51.100.7"
FORGED = "6.6.6.6"


def request(remote_addr: str | None = PROXY, forwarded_for: str | None = None):
    meta = {}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    req = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del req.META["REMOTE_ADDR"]
    else:
        req.META["REMOTE_ADDR"] = remote_addr
    return req


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def test_with_no_trusted_proxy_only_the_connection_address_counts(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.9", forwarded_for=VISITOR)) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_visitor_is_the_client(behind_proxy):
    assert client_ip(request(PROXY, forwarded_for=VISITOR)) == VISITOR


def test_addresses_the_visitor_put_in_front_of_the_header_are_ignored(behind_proxy):
    # The visitor sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the address it saw.
    assert client_ip(request(PROXY, forwarded_for=f"{FORGED}, {VISITOR}")) == VISITOR


def test_a_forged_header_from_a_client_that_is_not_our_proxy_is_ignored(behind_proxy):
    assert client_ip(request("203.0.113.9", forwarded_for=VISITOR)) == "203.0.113.9"


def test_every_hop_inside_the_trusted_networks_is_skipped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    forwarded = f"{FORGED}, {VISITOR}, 192.0.2.10, 10.9.8.7"
    assert client_ip(request(PROXY, forwarded_for=forwarded)) == VISITOR


def test_a_request_from_inside_with_no_header_is_the_proxy_itself(behind_proxy):
    assert client_ip(request(PROXY)) == PROXY
    assert client_ip(request(PROXY, forwarded_for="10.1.1.1")) == "10.1.1.1"


def test_garbage_where_an_address_should_be_stops_at_the_last_proxy(behind_proxy):
    assert client_ip(request(PROXY, forwarded_for="pas-une-adresse")) == PROXY


def test_with_a_count_the_visitor_is_that_many_hops_from_the_right(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = f"{FORGED}, {VISITOR}, 10.0.0.9"
    assert client_ip(request(PROXY, forwarded_for=forwarded)) == VISITOR
    # A chain shorter than the count: the leftmost hop, which one of our proxies wrote.
    assert client_ip(request(PROXY, forwarded_for=VISITOR)) == VISITOR
    assert client_ip(request(PROXY)) == PROXY


def test_a_count_with_networks_applies_only_to_connections_from_them(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(PROXY, forwarded_for=f"{FORGED}, {VISITOR}")) == VISITOR
    assert client_ip(request("203.0.113.9", forwarded_for=VISITOR)) == "203.0.113.9"


def test_ipv6_ports_and_ipv4_mapped_addresses_are_read(settings):
    settings.TRUSTED_PROXIES = ["fd00::/8", "10.0.0.0/8"]
    assert client_ip(request("fd00::1", forwarded_for="[2001:db8::42]:51234")) == "2001:db8::42"
    assert client_ip(request(PROXY, forwarded_for=f"{VISITOR}:51234")) == VISITOR
    assert client_ip(request("::ffff:10.0.0.2", forwarded_for=VISITOR)) == VISITOR


def test_no_usable_connection_address_gives_none(behind_proxy):
    assert client_ip(request(None, forwarded_for=VISITOR)) is None
    assert client_ip(request("inconnu", forwarded_for=VISITOR)) is None


def test_a_misconfigured_proxy_list_fails_loudly(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "pas-un-reseau"]
    with pytest.raises(ImproperlyConfigured):
        client_ip(request(PROXY, forwarded_for=VISITOR))


def test_axes_counts_login_failures_by_the_same_address(behind_proxy):
    req = request(PROXY, forwarded_for=f"{FORGED}, {VISITOR}")
    assert get_client_ip_address(req) == client_ip(req) == VISITOR


def test_no_other_code_reads_the_address_headers():
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|X-Forwarded-For|get_client_ip")
    offenders = [
        str(path.relative_to(root))
        for folder in ("caflab", "projects", "criees", "ecoute", "evaluation", "analysis")
        for path in (root / folder).rglob("*.py")
        if path.name != "clientip.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
