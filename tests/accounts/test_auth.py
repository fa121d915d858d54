import logging

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from caflab.accounts.models import Role, User
from tests.accounts.factories import UserFactory

LOGIN = reverse("accounts:login")


def _login(client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def test_login_with_email_in_any_case_opens_a_session(client, agent_a, password):
    response = _login(client, "Agent.A@CAF38.example", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(agent_a.pk)


def test_login_rotates_the_session_key(client, agent_a, password):
    client.get(LOGIN)
    session = client.session
    session["marker"] = "before-login"
    session.save()
    before = session.session_key
    _login(client, agent_a.email, password)
    assert client.session.session_key != before


def test_wrong_password_and_unknown_account_get_the_same_message(client, agent_a):
    known = _login(client, agent_a.email, "not-the-password-at-all")
    unknown = _login(client, "personne@nulle-part.example", "not-the-password-at-all")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "Adresse e-mail ou mot de passe incorrect" in known.content.decode()


@pytest.mark.parametrize("email", ["agent.a@caf38.example", "inconnu@caf38.example"])
def test_five_failures_lock_the_login_for_fifteen_minutes(client, agent_a, password, email):
    for _ in range(5):
        _login(client, email, "wrong-password-123")
    # Even the right password is refused now, with the same message for known or unknown.
    response = _login(client, email, password)
    assert response.status_code == 429
    assert "bloquée pendant 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_logs_no_email_address(client, agent_a, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(6):
            _login(client, agent_a.email, "wrong-password-123")
    assert caplog.records, "axes should log the lockout"
    assert agent_a.email not in caplog.text
    assert "127.0.0.1" not in caplog.text


def test_logout_is_a_post_only_action(client, agent_a):
    client.force_login(agent_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_requires_twelve_characters(client, agent_a, password):
    client.force_login(agent_a)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": "Court-1234", "new_password2": "Court-1234"},
    )
    assert response.status_code == 200
    assert "au moins 12 caractères" in response.content.decode()
    agent_a.refresh_from_db()
    assert agent_a.check_password(password)


def test_password_reset_mails_a_working_link_only_to_known_accounts(
    client, agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("accounts:password-reset")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(url, {"email": "inconnu@example.org"})
    assert unknown.status_code == 302
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": agent_a.email})
    assert known["Location"] == unknown["Location"]  # nothing tells the two apart
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reinitialiser/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    new = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    agent_a.refresh_from_db()
    assert agent_a.check_password(new)


def test_profile_edits_only_names_and_mail_preference(client, agent_a):
    client.force_login(agent_a)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Aline",
            "last_name": "Martin",
            "email_frequency": "weekly",
            "role": Role.LAB_STAFF,
            "caf": "",
        },
    )
    assert response.status_code == 302
    agent_a.refresh_from_db()
    assert (agent_a.first_name, agent_a.email_frequency) == ("Aline", "weekly")
    assert agent_a.role == Role.AGENT
    assert agent_a.caf is not None


def test_profile_keeps_what_was_typed_on_error(client, agent_a):
    client.force_login(agent_a)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Aline", "last_name": "Martin", "email_frequency": "tous-les-jours"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Aline"' in body
    assert "Le formulaire contient une erreur" in body


@pytest.mark.django_db
def test_emails_are_unique_whatever_their_case(caf_a):
    UserFactory(email="marie@caf38.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="MARIE@caf38.example", role=Role.CITIZEN)


@pytest.mark.parametrize(
    ("role", "message"),
    [(Role.AGENT, "Caf"), (Role.CORRESPONDENT, "Caf"), (Role.DIRECTORATE, "direction")],
)
@pytest.mark.django_db
def test_a_role_tied_to_an_organisation_cannot_exist_without_it(role, message):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=f"{role}@example.org", role=role)


@pytest.mark.django_db
def test_create_user_lowercases_the_email():
    user = User.objects.create_user(
        "Jean.Dupont@Example.ORG", "Un-mot-de-passe-long", role="citizen"
    )
    assert user.email == "jean.dupont@example.org"
