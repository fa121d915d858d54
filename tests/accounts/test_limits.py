"""Limits that count the real visitor, with a proxy in front: login failures per address and per
account, password-reset requests per address and per account (with the e-mail sent by a task
and its link stored nowhere), and people suggestions that are not a staff directory."""

import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from caflab.accounts import tasks
from caflab.accounts.models import Role
from caflab.core.queueing import enqueue
from caflab.core.ratelimit import address_identity, rate_limit_hit
from caflab.notifications.models import Notification, OutboxMail
from tests.accounts.factories import UserFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
OWNER = "198.51.100.1"
LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password-reset")
RESET_DONE = reverse("accounts:password-reset-done")
SEARCH = reverse("accounts:people-search")
NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026"


@pytest.fixture(autouse=True)
def _behind_our_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 0


def visitor(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def attacker(n: int) -> Client:
    return visitor(f"203.0.113.{n}")


def login(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def without_tokens(html: bytes) -> str:
    """A page without its per-request CSRF token and CSP nonces."""
    return re.sub(r'("X-CSRFToken": "|nonce=")[^"]*', r"\1", html.decode())


def reset_link(mail) -> str:
    line = next(line for line in mail.body.splitlines() if "/reinitialiser/" in line)
    return urlsplit(line.strip()).path


# --- login -------------------------------------------------------------------------------------


def test_five_failures_from_one_address_lock_that_address_for_the_account(agent_a, password):
    guesser = attacker(1)
    statuses = [
        login(guesser, agent_a.email, "pas-le-bon-mot-de-passe").status_code for _ in range(5)
    ]
    assert statuses == [200] * 4 + [429]  # the fifth failure locks
    refused = login(guesser, agent_a.email, password)
    assert refused.status_code == 429
    assert "bloquée pendant 15 minutes" in refused.content.decode()
    # The owner, elsewhere, is not locked out by someone else's five failures.
    owner = visitor(OWNER)
    assert login(owner, agent_a.email, password).status_code == 302
    assert owner.session["_auth_user_id"] == str(agent_a.pk)


def test_failures_spread_over_many_addresses_lock_the_account_past_its_limit(
    agent_a, password, settings
):
    assert settings.LOGIN_ACCOUNT_FAILURE_LIMIT == 20
    for n in range(19):  # 19 addresses, one failure each: no address reaches 5
        assert login(attacker(n), agent_a.email, "pas-le-bon-mot-de-passe").status_code == 200
    assert login(visitor(OWNER), agent_a.email, password).status_code == 302  # not yet

    twentieth = login(attacker(100), agent_a.email, "pas-le-bon-mot-de-passe")
    assert twentieth.status_code == 429
    # From now on, even the right password from a new address is refused, on the lockout page.
    newcomer = visitor("198.51.100.99")
    refused = login(newcomer, agent_a.email, password)
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Trop de tentatives de connexion" in body
    assert reverse("accounts:password-reset") in body
    assert "_auth_user_id" not in newcomer.session


def test_an_unknown_address_is_locked_like_a_known_one(settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    for n in range(3):
        login(attacker(n), "personne@caf38.example", "pas-le-bon-mot-de-passe")
    assert login(attacker(9), "personne@caf38.example", "nimporte").status_code == 429


def test_the_owner_of_a_locked_account_resets_the_password_and_signs_in(
    agent_a, password, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    for n in range(6):
        login(attacker(n), agent_a.email, "pas-le-bon-mot-de-passe")
    owner = visitor(OWNER)
    assert login(owner, agent_a.email, password).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(RESET, {"email": agent_a.email})
    form_page = owner.get(reset_link(mailoutbox[0]), follow=True)
    done = owner.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("accounts:password-reset-complete")

    assert login(owner, agent_a.email, NEW_PASSWORD).status_code == 302
    assert owner.session["_auth_user_id"] == str(agent_a.pk)
    # The guessers start from zero against the new password, and still do not know it.
    assert login(attacker(1), agent_a.email, password).status_code == 200


def test_login_attempts_store_no_email_address(agent_a):
    for n in range(3):
        login(attacker(n), agent_a.email, "pas-le-bon-mot-de-passe")
    login(attacker(1), "inconnu@example.org", "pas-le-bon-mot-de-passe")
    usernames = list(AccessAttempt.objects.values_list("username", flat=True))
    assert len(usernames) == 4
    assert not any("@" in name for name in usernames)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.0",
        "203.0.113.1",
        "203.0.113.2",
    }


# --- password reset ----------------------------------------------------------------------------


def test_a_reset_request_looks_the_same_for_known_and_unknown_addresses(
    agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = visitor(OWNER).post(RESET, {"email": agent_a.email}, follow=True)
        unknown = visitor(OWNER).post(RESET, {"email": "inconnu@caf38.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(RESET_DONE, 302)]
    assert without_tokens(known.content) == without_tokens(unknown.content)
    assert [mail.to for mail in mailoutbox] == [[agent_a.email]]


def test_reset_requests_are_limited_per_address(
    agent_a, agent_b, mailoutbox, django_capture_on_commit_callbacks
):
    busy = visitor("203.0.113.50")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            busy.post(RESET, {"email": f"inconnu{n}@caf38.example"})
        limited = busy.post(RESET, {"email": agent_a.email})
        other = visitor("203.0.113.51").post(RESET, {"email": agent_b.email})
    assert limited["Location"] == other["Location"] == RESET_DONE  # the same answer
    assert [mail.to for mail in mailoutbox] == [[agent_b.email]]


def test_reset_requests_are_limited_per_account_whatever_the_address(
    agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        responses = [attacker(n).post(RESET, {"email": agent_a.email.upper()}) for n in range(5)]
    assert {response["Location"] for response in responses} == {RESET_DONE}
    assert len(mailoutbox) == 3


def test_the_reset_mail_is_sent_by_a_task_given_only_the_id_and_its_link_works(
    agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    owner = visitor(OWNER)
    with django_capture_on_commit_callbacks() as callbacks:
        owner.post(RESET, {"email": agent_a.email})
    assert mailoutbox == []  # nothing sent during the request
    assert len(callbacks) == 1
    assert callbacks[0].func is enqueue
    assert callbacks[0].args == (tasks.send_password_reset, agent_a.pk)
    callbacks[0]()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "CafLab\u00a0: réinitialisation de votre mot de passe"
    link = reset_link(mail)
    form_page = owner.get(link, follow=True)
    assert form_page.status_code == 200
    owner.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    agent_a.refresh_from_db()
    assert agent_a.check_password(NEW_PASSWORD)
    # Nothing kept the link: no outbox mail, no notification holds it.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for model, field in ((OutboxMail, "body"), (Notification, "body")):
        assert not model.objects.filter(**{f"{field}__contains": token}).exists()
    assert not OutboxMail.objects.filter(body__contains="/reinitialiser/").exists()
    # …and used once, it is dead.
    assert "Lien invalide ou expiré" in owner.get(link, follow=True).content.decode()


def test_the_reset_task_mails_nobody_for_a_deactivated_account(agent_a, mailoutbox):
    agent_a.is_active = False
    agent_a.save(update_fields=["is_active"])
    assert tasks.send_password_reset(agent_a.pk) is False
    assert mailoutbox == []


# --- people search -----------------------------------------------------------------------------


@pytest.fixture
def many_martins(caf_a):
    return [
        UserFactory(
            email=f"martin{n:02}@caf38.example",
            first_name="Jean",
            last_name=f"Martin{n:02}",
            role=Role.AGENT,
            caf=caf_a,
        )
        for n in range(12)
    ]


def test_two_characters_suggest_nobody_and_three_suggest_at_most_ten(client, agent_a, many_martins):
    client.force_login(agent_a)
    assert "<option" not in client.get(SEARCH, {"q": "ma"}).content.decode()
    html = client.get(SEARCH, {"q": "mar"}).content.decode()
    assert html.count("<option") == 10


def test_people_search_is_rate_limited_per_user(client, agent_a, agent_b, many_martins, settings):
    settings.PEOPLE_SEARCH_RATE_LIMIT = 3
    client.force_login(agent_a)
    for _ in range(3):
        assert client.get(SEARCH, {"q": "mar"}).status_code == 200
    client.get(SEARCH, {"q": "ma"})  # too short to search: not counted, nothing to count
    limited = client.get(SEARCH, {"q": "mar"})
    assert limited.status_code == 429
    assert "<option" not in limited.content.decode()
    other = Client()
    other.force_login(agent_b)
    assert other.get(SEARCH, {"q": "mar"}).content.decode().count("<option") == 10


def test_citizens_partners_and_visitors_are_refused_the_people_search(client, citizen):
    partner = UserFactory(
        email="contact@asso.example", role=Role.PARTNER, caf=None, partner=PartnerFactory()
    )
    assert client.get(SEARCH, {"q": "mar"}).status_code == 302
    for person in (citizen, partner):
        client.force_login(person)
        assert client.get(SEARCH, {"q": "mar"}).status_code == 403


# --- the shared counter ------------------------------------------------------------------------


def test_a_cache_outage_lets_the_action_through(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    assert not any(rate_limit_hit("test", "ip:1.2.3.4", limit=1, window=60) for _ in range(3))


def test_the_counter_stores_neither_the_address_nor_the_account():
    from django.core.cache import cache

    if not hasattr(cache, "_cache"):
        pytest.skip("reads the keys of the local-memory cache")
    rate_limit_hit("test", "email:agent.a@caf38.example", limit=5, window=60)
    keys = list(cache._cache.keys())  # local memory in tests
    assert keys
    assert not any("agent.a" in key or "@" in key for key in keys)


def test_an_ipv6_visitor_is_counted_by_their_whole_64_network():
    assert address_identity("2001:db8:1:2::1") == address_identity("2001:db8:1:2:ffff::9")
    assert address_identity("2001:db8:1:3::1") != address_identity("2001:db8:1:2::1")
    assert address_identity("198.51.100.7") != address_identity("198.51.100.8")
    assert address_identity(None) is None
