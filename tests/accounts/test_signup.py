"""Citizens sign up with a confirmed address: the account stays inactive until the mailed link
is followed (signed, 3 days, single use); the same message whatever the address; rate-limited."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from caflab.accounts.models import Role, User
from caflab.accounts.signup import (
    AlreadyVerified,
    VerificationFailed,
    signup_verify,
    verification_token,
)

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
PASSWORD = "une-phrase-de-passe-solide"


def _signup(client, email="nouvelle@example.org", password=PASSWORD, **extra):
    data = {"email": email, "password1": password, "password2": password, "accept_privacy": "on"}
    data.update(extra)
    return client.post(SIGNUP, data)


def _link(mail) -> str:
    line = next(line for line in mail.body.splitlines() if "/inscription/confirmer/" in line)
    return urlsplit(line.strip()).path


def test_signing_up_then_following_the_link_activates_the_account(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, email="Nouvelle@Example.org")
    assert response["Location"] == reverse("accounts:signup-sent")
    user = User.objects.get(email="nouvelle@example.org")
    assert (user.role, user.is_active, user.email_verified_at) == (Role.CITIZEN, False, None)
    # not usable before confirmation
    login = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nouvelle@example.org"]
    response = client.get(_link(mailoutbox[0]))
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_active
    assert user.email_verified_at is not None
    login = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert login.status_code == 302
    # the link served once: following it again says "already confirmed"
    client.logout()
    again = client.get(_link(mailoutbox[0]))
    assert again["Location"] == reverse("accounts:login")


def test_the_form_asks_consent_and_a_twelve_character_password(client):
    response = _signup(client, password="court", accept_privacy="")
    form = response.context["form"]
    assert "accept_privacy" in form.errors
    assert "password1" in form.errors
    assert form["email"].value() == "nouvelle@example.org"  # kept what was typed
    assert not User.objects.exists()


def test_an_existing_address_gets_the_same_page_and_a_different_mail(
    client, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _signup(client, email=citizen.email, password="un-autre-mot-de-passe")
        unknown = _signup(client, email="inconnue@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert citizen.email not in client.get(known["Location"]).content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password("un-mot-de-passe-solide-42")  # unchanged
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert "déjà un compte" in by_address[citizen.email].subject
    assert "/inscription/confirmer/" in by_address["inconnue@example.org"].body


def test_signing_up_again_resends_the_link_and_keeps_the_first_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
        _signup(client, password="un-autre-mot-de-passe-encore")
        client.post(reverse("accounts:signup-resend"), {"email": "nouvelle@example.org"})
        client.post(reverse("accounts:signup-resend"), {"email": "personne@example.org"})
    assert User.objects.count() == 1
    assert User.objects.get().check_password(PASSWORD)
    assert [m.to for m in mailoutbox] == [["nouvelle@example.org"]] * 3


def test_a_tampered_link_is_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    user = User.objects.get()
    token = verification_token(user)
    response = client.get(reverse("accounts:signup-verify", kwargs={"token": token + "x"}))
    assert response.status_code == 404
    with pytest.raises(VerificationFailed):
        signup_verify(token=token[:-3] + "abc")
    user.refresh_from_db()
    assert not user.is_active


def test_an_expired_link_is_refused(client):
    _signup(client)
    user = User.objects.get()
    with time_machine.travel(-timedelta(days=4)):
        token = verification_token(user)
    response = client.get(reverse("accounts:signup-verify", kwargs={"token": token}))
    assert response.status_code == 404
    assert "expiré" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_a_deactivated_account_is_never_reactivated_by_a_link(agent_a):
    token = verification_token(agent_a)
    agent_a.is_active = False
    agent_a.save()
    with pytest.raises(VerificationFailed):
        signup_verify(token=token)
    agent_a.refresh_from_db()
    assert not agent_a.is_active


def test_a_used_link_says_already_verified(client):
    _signup(client)
    user = User.objects.get()
    token = verification_token(user)
    signup_verify(token=token)
    with pytest.raises(AlreadyVerified):
        signup_verify(token=token)


def test_sign_ups_are_rate_limited_per_connection(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        assert _signup(client, email=f"p{n}@example.org").status_code == 302
    response = _signup(client, email="p9@example.org")
    assert response.status_code == 200
    assert "Trop de demandes" in response.content.decode()
    assert User.objects.count() == 2


def test_the_login_page_and_login_only_consultations_link_to_the_sign_up(client, lab_staff):
    from tests.ecoute.factories import ConsultationFactory

    assert SIGNUP in client.get(reverse("accounts:login")).content.decode()
    consultation = ConsultationFactory(owner=lab_staff)
    assert SIGNUP in client.get(consultation.get_absolute_url()).content.decode()


def test_sign_ups_behind_our_proxy_are_counted_per_visitor(settings):
    from django.test import Client

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SIGNUP_RATE_LIMIT = 1
    first = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _signup(first, email="p1@example.org").status_code == 302
    assert _signup(second, email="p2@example.org").status_code == 302
    assert "Trop de demandes" in _signup(first, email="p3@example.org").content.decode()
