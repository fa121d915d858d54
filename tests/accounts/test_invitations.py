"""Invitations: an imported account's single-use, 14-day link to choose a password."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user
from django.test import override_settings
from django.urls import reverse

from caflab.accounts import tasks
from caflab.accounts.invitations import INVITATION_DAYS, invitation_url
from caflab.accounts.models import Role, User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-nouveau-mot-de-passe-7"


@pytest.fixture
def invited(caf_a) -> User:
    user = UserFactory(email="invitee@caf38.example", role=Role.AGENT, caf=caf_a)
    user.set_unusable_password()
    user.save()
    return user


def mailed_path(mail) -> str:
    url = re.search(r"https?://\S+/comptes/invitation/\S+/", mail.body).group(0)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_invitation_mail_holds_a_link_and_sets_the_invitation_date(invited, mailoutbox):
    assert tasks.send_invitation(invited.pk) is True
    (mail,) = mailoutbox
    assert mail.to == [invited.email]
    assert "/comptes/invitation/" in mail.body
    assert "14 jours" in mail.body
    invited.refresh_from_db()
    assert invited.invited_at is not None


def test_the_link_sets_the_password_signs_in_and_works_only_once(client, invited, mailoutbox):
    tasks.send_invitation(invited.pk)
    path = mailed_path(mailoutbox[0])
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert get_user(client).pk == invited.pk
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    client.logout()
    response = client.get(path)
    assert "ne peut plus être utilisé" in response.content.decode()
    assert "Choisir votre mot de passe" not in response.content.decode()


def test_an_expired_link_is_refused_with_how_to_get_a_new_one(client, invited):
    url = invitation_url(invited)
    with time_machine.travel(timedelta(days=INVITATION_DAYS, hours=1)):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "ne peut plus être utilisé" in page
        assert "nouvelle invitation" in page
        client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_link_still_works_on_its_last_day(client, invited):
    url = invitation_url(invited)
    with time_machine.travel(timedelta(days=INVITATION_DAYS - 1)):
        assert "Choisir votre mot de passe" in client.get(url).content.decode()


def test_a_newer_invitation_voids_the_older_link(client, invited, mailoutbox):
    tasks.send_invitation(invited.pk)
    first = mailed_path(mailoutbox[0])
    with time_machine.travel(timedelta(seconds=5)):
        tasks.send_invitation(invited.pk)
    second = mailed_path(mailoutbox[1])
    assert "ne peut plus être utilisé" in client.get(first).content.decode()
    assert "Choisir votre mot de passe" in client.get(second).content.decode()


def test_no_token_is_stored_anywhere_on_the_account(invited, mailoutbox):
    tasks.send_invitation(invited.pk)
    token = mailed_path(mailoutbox[0]).rstrip("/").rsplit("/", 1)[-1]
    stored = User.objects.filter(pk=invited.pk).values().get()
    assert not any(token in str(value) for value in stored.values())


def test_an_account_with_a_password_or_deactivated_is_not_invited(agent_a, mailoutbox):
    assert tasks.send_invitation(agent_a.pk) is False
    assert mailoutbox == []


def test_the_invitation_offers_the_identity_provider_when_it_is_configured(
    client, invited, mailoutbox, settings
):
    providers = {name: dict(conf) for name, conf in settings.SSO_PROVIDERS.items()}
    providers["agents"]["discovery_url"] = "https://idp.example/.well-known/openid-configuration"
    with override_settings(SSO_PROVIDERS=providers):
        tasks.send_invitation(invited.pk)
        assert reverse("accounts:login") in mailoutbox[0].body
        page = client.get(mailed_path(mailoutbox[0])).content.decode()
    assert "fournisseur d’identité des agents" in page


def test_an_import_invites_new_accounts_only_and_not_in_a_dry_run(
    agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    from caflab.accounts.importing import people_import_file

    data = (
        "e-mail;prénom;nom;rôle;Caf\n"
        f"{agent_a.email};;;agent;38\n"
        "nouvelle@caf38.example;Nina;Neuve;agent;38\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        people_import_file(data=data, filename="a.csv", by=None, dry_run=True)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        report = people_import_file(data=data, filename="a.csv", by=None)
    assert report.invited == 1
    assert [mail.to for mail in mailoutbox] == [["nouvelle@caf38.example"]]
    assert User.objects.get(email="nouvelle@caf38.example").invited_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        people_import_file(data=data, filename="a.csv", by=None, invite=False)
    assert len(mailoutbox) == 1


def test_the_admin_action_resends_the_invitation(
    client, invited, agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    root = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "resend_invitation", "_selected_action": [invited.pk, agent_a.pk]},
            follow=True,
        )
    assert "1 invitation(s) envoyée(s)" in response.content.decode()
    assert [mail.to for mail in mailoutbox] == [[invited.email]]
