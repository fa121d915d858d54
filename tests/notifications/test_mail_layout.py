"""Issue 17: e-mails as people expect them. Every mail the platform sends has its plain text and
an HTML alternative (the CafLab identity, one button for the one action, why the person receives
it, no remote resource); the mails a preference governs (notifications, digests) carry the
one-click unsubscribe of RFC 8058, whose link turns the e-mails off for that person only,
refuses a tampered or expired token in French, and changes nothing on GET."""

import datetime
import re
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import EmailFrequency, User
from caflab.core.mail import MailAction, mail_build
from caflab.notifications.models import Notification, OutboxMail
from caflab.notifications.services import digests_send, notify
from caflab.notifications.unsubscribe import unsubscribe_token
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Vous recevez ce message parce qu"
REMOTE = re.compile(r"""(src|background)\s*=\s*["']?\s*(https?:)?//|<link\b|@import|url\(""", re.I)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_laid_out(message, *, action_url: str) -> str:
    """Text and HTML, the button to `action_url`, the reason, the identity, nothing remote."""
    html = html_of(message)
    assert message.body.strip()
    assert re.search(r"Vous recevez (ce|cet) ", message.body)  # each template's own words
    assert REASON in html
    assert "CafLab" in html
    assert f'href="{action_url}"' in html
    assert not REMOTE.search(html), REMOTE.search(html)
    assert "<img" not in html
    return html


def unsubscribe_link(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


# --- the one builder ------------------------------------------------------------------------


def test_the_builder_gives_text_and_html_with_one_button_and_escapes_user_text():
    message = mail_build(
        subject="[CafLab] Un titre",
        text=(
            "Bonjour,\n\nL'idée <script>alert(1)</script> & « Parents » avance.\n\n"
            "Pour en savoir plus : https://caflab.example/projets/3/\n\n-- \nCafLab\n"
        ),
        to=["a@example.org"],
        reason="vous suivez ce projet.",
        action=MailAction("Voir le projet", "https://caflab.example/projets/3/"),
    )
    html = assert_laid_out(message, action_url="https://caflab.example/projets/3/")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; « Parents »" in html
    assert ">Voir le projet</a>" in html
    assert "Pour en savoir plus" not in html  # the button carries that link
    assert "Vous recevez ce message parce que vous suivez ce projet." in html
    # The text keeps what the sender wrote, and ends with the reason.
    assert message.body.startswith("Bonjour,\n\nL'idée <script>")
    assert message.body.rstrip().endswith(
        "Vous recevez ce message parce que vous suivez ce projet."
    )
    assert "List-Unsubscribe" not in message.extra_headers


def test_the_builder_adds_the_unsubscribe_headers_only_when_asked():
    message = mail_build(
        subject="s",
        text="t",
        to=["a@example.org"],
        reason="r.",
        preferences_url="https://caflab.example/comptes/profil/",
        unsubscribe_url="https://caflab.example/notifications/desabonnement/x/",
    )
    assert message.extra_headers["List-Unsubscribe"] == (
        "<https://caflab.example/notifications/desabonnement/x/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = html_of(message)
    assert ">Gérer mes notifications</a>" in html
    assert 'href="https://caflab.example/notifications/desabonnement/x/"' in html


# --- notifications and digests: optional, so unsubscribable ---------------------------------


def _notify(user, *, own=False, title="Votre idée « <b>Crèche</b> » avance"):
    notify(
        recipients=[user],
        kind="idea.status_changed",
        title=title,
        body="Elle devient un projet.",
        url="/projets/12/",
        own_contribution=own,
    )


def test_a_notification_mail_has_the_layout_and_the_one_click_headers(
    immediate_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(immediate_user)
    [message] = mailoutbox
    html = assert_laid_out(message, action_url="http://127.0.0.1:8000/projets/12/")
    assert "&lt;b&gt;Crèche&lt;/b&gt;" in html
    assert "Elle devient un projet." in message.body  # the text as before
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_link(message)
    assert link.startswith("http://127.0.0.1:8000/notifications/desabonnement/")
    assert immediate_user.email not in link
    assert f'href="{link}"' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_mail_about_ones_own_contribution_has_no_unsubscribe(
    never_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(never_user, own=True)
    [message] = mailoutbox
    assert_laid_out(message, action_url="http://127.0.0.1:8000/projets/12/")
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Vous recevez ce message parce qu’il concerne l’une de vos contributions" in html_of(
        message
    )


def test_a_digest_has_the_layout_and_the_one_click_headers(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    _notify(daily_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(frequency=EmailFrequency.DAILY) == 1
    [message] = mailoutbox
    assert_laid_out(message, action_url="http://127.0.0.1:8000/notifications/")
    assert unsubscribe_link(message).startswith("http://127.0.0.1:8000/notifications/")
    assert "récapitulatif" in html_of(message)


# --- transactional mails: the layout, never an unsubscribe ----------------------------------


def _invitation(capture) -> str:
    from caflab.accounts.invitations import invitation_send

    user = UserFactory(email="invite@cnaf.example", lab=True)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    assert invitation_send(user_id=user.pk)
    return "http://127.0.0.1:8000/comptes/"


def _password_reset(capture) -> str:
    from caflab.accounts.security import password_reset_send

    assert password_reset_send(user_id=UserFactory(citizen=True).pk)
    return "http://127.0.0.1:8000/comptes/"


def _verification(capture) -> str:
    from caflab.accounts.signup import verification_send

    user = UserFactory(citizen=True, is_active=False, email_verified_at=None, last_login=None)
    assert verification_send(user_id=user.pk)
    return "http://127.0.0.1:8000/comptes/"


def _existing_account(capture) -> str:
    from caflab.accounts.signup import existing_account_send

    assert existing_account_send(user_id=UserFactory(citizen=True).pk)
    return "http://127.0.0.1:8000/comptes/connexion/"


def _account_deleted(capture) -> str:
    from caflab.accounts.personal_data import account_delete

    with capture(execute=True):
        account_delete(user=UserFactory(citizen=True))
    return ""


def _survey_invitation(capture) -> str:
    from evaluation.services import participation
    from tests.evaluation.factories import SurveyWaveFactory, make_survey

    wave = SurveyWaveFactory(survey=make_survey())
    with capture(execute=True):
        participation.invitations_create(
            wave=wave, emails=["avis@example.org"], by=wave.survey.project.lead
        )
    return "http://127.0.0.1:8000/evaluation/repondre/"


def _registration(capture) -> str:
    from ecoute.services.recruitment import registration_send_email
    from tests.ecoute.factories import RecruitmentFactory, RegistrationFactory

    registration = RegistrationFactory(recruitment=RecruitmentFactory())
    assert registration_send_email(registration_id=registration.pk, kind="confirmation")
    return f"http://127.0.0.1:8000{registration.recruitment.get_absolute_url()}"


def _community_invitation(capture) -> str:
    from ecoute.models import CommunityInvitation
    from ecoute.services.communities import invitation_send
    from tests.ecoute.factories import CommunityFactory

    invitation = CommunityInvitation.objects.create(
        community=CommunityFactory(name="Lab <Parentalité>"), email="parent@example.org"
    )
    assert invitation_send(invitation_id=invitation.pk)
    return "http://127.0.0.1:8000/"


TRANSACTIONAL: dict[str, Callable[..., str]] = {
    "invitation": _invitation,
    "password reset": _password_reset,
    "sign-up verification": _verification,
    "sign-up with an existing address": _existing_account,
    "account deleted": _account_deleted,
    "survey invitation": _survey_invitation,
    "recruitment confirmation": _registration,
    "community invitation": _community_invitation,
}


@pytest.mark.parametrize("sender", TRANSACTIONAL.values(), ids=TRANSACTIONAL.keys())
def test_every_transactional_mail_has_the_layout_and_no_unsubscribe(
    sender, mailoutbox, django_capture_on_commit_callbacks
):
    action_prefix = sender(django_capture_on_commit_callbacks)
    [message] = mailoutbox
    html = html_of(message)
    assert REASON in message.body
    assert REASON in html
    assert not REMOTE.search(html)
    assert "<img" not in html
    assert "List-Unsubscribe" not in message.extra_headers
    if action_prefix:  # the button, to an address the text gives too
        button = re.search(r'<td style="background-color:#0b5cad[^>]*>\s*<a href="([^"]+)"', html)
        assert button is not None
        assert button.group(1).startswith(action_prefix)
        assert button.group(1).replace("&amp;", "&") in message.body
    else:
        assert "background-color:#0b5cad" not in html  # nothing to do: no button
    assert "<Parentalité>" not in html


def test_a_hear_back_mail_has_the_layout_and_keeps_its_own_stop_link(mailoutbox):
    from ecoute.models import HearBackRequest
    from ecoute.services import hear_back
    from tests.ecoute.factories import ConsultationFactory

    address = HearBackRequest.objects.create(
        questionnaire=ConsultationFactory().questionnaire, email="a@exemple.fr"
    )
    hear_back.send_to_address(
        address,
        "[CafLab] Des nouvelles",
        "Bonjour,\n\nDu nouveau.\n\n-- \nVous recevez cet e-mail parce que…\n",
        MailAction("En savoir plus", "http://127.0.0.1:8000/ecoute/"),
    )
    [message] = mailoutbox
    html = assert_laid_out(message, action_url="http://127.0.0.1:8000/ecoute/")
    stop = unsubscribe_link(message)
    assert "/ecoute/" in stop
    assert stop in message.body
    assert f'href="{stop}"' in html


# --- the unsubscribe link -------------------------------------------------------------------


def _url(token: str) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def test_get_asks_and_changes_nothing_then_post_turns_emails_off_for_that_user_only(
    client, immediate_user, daily_user
):
    url = _url(unsubscribe_token(user_id=immediate_user.pk, kind="immediate"))
    page = client.get(url)
    assert page.status_code == 200
    assert "Ne plus recevoir ces e-mails" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    immediate_user.refresh_from_db()
    assert immediate_user.email_frequency == EmailFrequency.IMMEDIATE

    done = client.post(url)
    assert done.status_code == 200
    assert "C’est fait" in done.content.decode()
    immediate_user.refresh_from_db()
    daily_user.refresh_from_db()
    assert immediate_user.email_frequency == EmailFrequency.NEVER
    assert daily_user.email_frequency == EmailFrequency.DAILY
    assert "C’est déjà fait" in client.get(url).content.decode()


def test_the_one_click_post_of_a_mail_client_works_without_session_nor_csrf(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    _notify(daily_user)
    with django_capture_on_commit_callbacks(execute=True):
        digests_send(frequency=EmailFrequency.DAILY)
    link = unsubscribe_link(mailoutbox[0])
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(
        link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    daily_user.refresh_from_db()
    assert daily_user.email_frequency == EmailFrequency.NEVER
    # From now on, nothing waits for a digest; their own contributions are still mailed.
    _notify(daily_user)
    assert Notification.objects.filter(email_delivery=Notification.Delivery.DIGEST).count() == 1


def test_a_tampered_token_is_refused_in_french_with_a_way_to_sign_in(client, immediate_user):
    token = unsubscribe_token(user_id=immediate_user.pk, kind="immediate")
    other = UserFactory(citizen=True)
    # Another account's payload with this token's signature, and a token signed for another use.
    forged_payload = unsubscribe_token(user_id=other.pk, kind="immediate").split(":")[0]
    forged = ":".join([forged_payload, *token.split(":")[1:]])
    other_salt = signing.dumps(
        {"u": immediate_user.pk, "k": "immediate"}, salt="ecoute.hear_back.stop"
    )
    for bad in (token[:-3] + "abc", "x" + token, forged, other_salt, "pas-un-jeton"):
        for method in (client.get, client.post):
            page = method(_url(bad))
            assert page.status_code == 400
            body = page.content.decode()
            assert "Ce lien n’est pas valide ou a expiré" in body
            assert reverse("accounts:login") in body
    immediate_user.refresh_from_db()
    assert immediate_user.email_frequency == EmailFrequency.IMMEDIATE


def test_an_expired_token_or_a_deactivated_account_is_refused(client, immediate_user, caplog):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=61)):
        old = unsubscribe_token(user_id=immediate_user.pk, kind="digest")
    assert client.post(_url(old)).status_code == 400
    fresh = unsubscribe_token(user_id=immediate_user.pk, kind="digest")
    User.objects.filter(pk=immediate_user.pk).update(is_active=False)
    assert client.post(_url(fresh)).status_code == 400
    immediate_user.refresh_from_db()
    assert immediate_user.email_frequency == EmailFrequency.IMMEDIATE


def test_the_token_and_the_logs_carry_no_address(client, immediate_user, caplog):
    token = unsubscribe_token(user_id=immediate_user.pk, kind="immediate")
    assert immediate_user.email not in token
    with caplog.at_level("INFO"):
        client.post(_url(token))
    assert "Notification e-mails turned off" in caplog.text
    assert immediate_user.email not in caplog.text
    assert token not in caplog.text


def test_the_outbox_row_is_the_same_and_only_the_delivery_adds_the_html(
    immediate_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(immediate_user)
    row = OutboxMail.objects.get()
    assert "<!DOCTYPE" not in row.body  # stored as text only
    assert mail.outbox[0].body == row.body


def test_an_unknown_kind_cannot_be_signed():
    with pytest.raises(ValueError, match="No unsubscribe link"):
        unsubscribe_token(user_id=1, kind="everything")
