"""Personal access tokens: network members create them on their profile (the secret shown
once, only its digest kept), revoke them; a revoked or expired token gets a French 401; each
token is rate-limited (429 with Retry-After); use is dated at most once a minute; creation and
revocation are in the audit trail; tokens are in "my data" and erased with the account; the
secret never reaches a log line."""

import datetime
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caflab.accounts import personal_data
from caflab.api.models import AccessToken, digest
from caflab.api.services import token_create, token_revoke
from caflab.core.errors import AlreadyDone, NotAllowedNow
from tests.api.conftest import bearer_client

pytestmark = pytest.mark.django_db

PROJECTS = "api-v1:projects"


@pytest.mark.parametrize("persona", ["lab_staff", "correspondent_a", "agent_a", "agent_b"])
def test_every_network_persona_creates_a_token_on_the_profile_and_sees_it_once(
    persona, client, request
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Accès à l’API" in profile
    response = client.post(
        reverse("api:token-create"), {"name": "Power BI de la Caf", "lifetime": "90"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    token = AccessToken.objects.get(user=user)
    assert token.secret_hash == digest(secret)
    assert secret not in (token.name, token.prefix, token.secret_hash)
    assert secret not in client.get(reverse("accounts:profile")).content.decode()
    assert (
        Client(headers={"Authorization": f"Bearer {secret}"}).get(reverse(PROJECTS)).status_code
        == 200
    )


def test_citizens_hold_no_token(client, citizen):
    client.force_login(citizen)
    assert "Accès à l’API" not in client.get(reverse("accounts:profile")).content.decode()
    assert (
        client.post(reverse("api:token-create"), {"name": "x", "lifetime": "30"}).status_code == 403
    )
    with pytest.raises(NotAllowedNow):
        token_create(user=citizen, name="x", lifetime=datetime.timedelta(days=1))


def test_a_bad_form_answers_in_french_and_keeps_what_was_typed(client, agent_a):
    client.force_login(agent_a)
    response = client.post(reverse("api:token-create"), {"name": "Mon outil", "lifetime": "999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mon outil" in page
    assert "choix valide" in page
    assert not AccessToken.objects.exists()


def test_a_token_cannot_outlive_a_year(agent_a):
    with pytest.raises(NotAllowedNow):
        token_create(user=agent_a, name="x", lifetime=datetime.timedelta(days=400))


def test_revoked_and_expired_tokens_get_a_french_401(agent_a):
    api, secret = bearer_client(agent_a)
    token = AccessToken.objects.get()
    token_revoke(token=token, by=agent_a)
    response = api.get(reverse(PROJECTS))
    assert response.status_code == 401
    assert response.json() == {"detail": "Ce jeton d’accès a été révoqué."}
    assert response["WWW-Authenticate"].startswith("Bearer")

    api, secret = bearer_client(agent_a)
    AccessToken.objects.filter(revoked_at__isnull=True).update(
        created_at=timezone.now() - datetime.timedelta(days=40),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    response = api.get(reverse(PROJECTS))
    assert response.status_code == 401
    assert "expiré" in response.json()["detail"]
    for header in ("Bearer caflab_nimporte_quoi", "Basic abc", "Bearer " + secret + "x"):
        bad = Client(headers={"Authorization": header}).get(reverse(PROJECTS))
        assert bad.status_code == 401, header
        assert bad.json()["detail"]


def test_revoking_twice_is_already_done(client, agent_a):
    _api, _secret = bearer_client(agent_a)
    token = AccessToken.objects.get()
    client.force_login(agent_a)
    first = client.post(reverse("api:token-revoke", kwargs={"pk": token.pk}))
    assert first.status_code == 302
    again = client.post(reverse("api:token-revoke", kwargs={"pk": token.pk}), follow=True)
    assert "déjà révoqué" in again.content.decode()
    with pytest.raises(AlreadyDone):
        token_revoke(token=token, by=agent_a)


def test_someone_else_s_token_is_404(client, agent_a, agent_b):
    bearer_client(agent_a)
    token = AccessToken.objects.get()
    client.force_login(agent_b)
    assert client.post(reverse("api:token-revoke", kwargs={"pk": token.pk})).status_code == 404
    assert AccessToken.objects.get().revoked_at is None


def test_a_token_is_rate_limited_with_retry_after(agent_a, settings):
    settings.API_RATE_LIMIT = 2
    api, _secret = bearer_client(agent_a)
    assert api.get(reverse(PROJECTS)).status_code == 200
    assert api.get(reverse(PROJECTS)).status_code == 200
    limited = api.get(reverse(PROJECTS))
    assert limited.status_code == 429
    assert limited["Retry-After"] == str(settings.API_RATE_WINDOW)
    assert "Trop de requêtes" in limited.json()["detail"]
    other, _ = bearer_client(agent_a)  # another token has its own budget
    assert other.get(reverse(PROJECTS)).status_code == 200


def test_use_is_dated_at_most_once_a_minute(agent_a, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    api, _secret = bearer_client(agent_a)
    api.get(reverse(PROJECTS))
    first = AccessToken.objects.get().last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as ctx:
        api.get(reverse(PROJECTS))
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    time_machine.shift(datetime.timedelta(minutes=2))
    api.get(reverse(PROJECTS))
    assert AccessToken.objects.get().last_used_at > first


def test_creation_and_revocation_are_in_the_audit_trail(agent_a):
    from caflab.api.models import AccessTokenEvent

    _api, _secret = bearer_client(agent_a)
    token = AccessToken.objects.get()
    token_revoke(token=token, by=agent_a)
    labels = list(AccessTokenEvent.objects.order_by("pgh_id").values_list("pgh_label", flat=True))
    assert labels == ["created", "revoked"]
    assert not any(f.name == "secret_hash" for f in AccessTokenEvent._meta.fields)


def test_tokens_are_in_my_data_and_erased_with_the_account(agent_a):
    _api, secret = bearer_client(agent_a)
    (section,) = [s for s in personal_data.sections() if s.key == "api.tokens"]
    (row,) = section.export(agent_a)
    assert row["Nom"] == "Tableau de bord"
    assert secret not in str(row)
    section.erase(agent_a)
    assert not AccessToken.objects.exists()


def test_the_secret_never_reaches_the_request_log(agent_a, caplog):
    api, secret = bearer_client(agent_a)
    with caplog.at_level(logging.INFO, logger="caflab.requests"):
        api.get(reverse(PROJECTS) + "?limit=1")
        Client(headers={"Authorization": f"Bearer {secret}x"}).get(reverse(PROJECTS))
    assert caplog.records
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in str(record.__dict__)
    assert any(getattr(r, "user_id", None) == agent_a.pk for r in caplog.records)
