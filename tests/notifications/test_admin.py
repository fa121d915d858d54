"""Administrators audit notifications and mails, and re-send the stuck ones."""

import pytest
from django.urls import reverse

from caflab.notifications.models import OutboxMail
from caflab.notifications.services import follow
from tests.accounts.factories import UserFactory
from tests.notifications.factories import NotificationFactory, OutboxMailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(admin=True))
    return client


@pytest.mark.parametrize("model", ["notification", "outboxmail", "follow"])
def test_superuser_opens_the_changelist_and_a_row_of_every_model(admin_client_, model, caf_a):
    notification = NotificationFactory()
    mail = OutboxMailFactory(notification=notification)
    follow_row = follow(user=notification.recipient, obj=caf_a)
    row = {"notification": notification, "outboxmail": mail, "follow": follow_row}[model]
    changelist = reverse(f"admin:notifications_{model}_changelist")
    assert admin_client_.get(changelist).status_code == 200
    assert admin_client_.get(changelist, {"q": "example"}).status_code == 200
    change = reverse(f"admin:notifications_{model}_change", args=[row.pk])
    assert admin_client_.get(change).status_code == 200


def test_notifications_and_mails_are_not_written_by_hand(admin_client_):
    for model in ("notification", "outboxmail"):
        assert admin_client_.get(reverse(f"admin:notifications_{model}_add")).status_code == 403


def test_resend_requeues_failed_and_pending_mails_but_not_sent_ones(
    admin_client_, mailoutbox, django_capture_on_commit_callbacks
):
    failed = OutboxMailFactory(
        status=OutboxMail.Status.FAILED, attempts=6, last_error="SMTPServerDisconnected"
    )
    sent = OutboxMailFactory(status=OutboxMail.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:notifications_outboxmail_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert "1 e-mail remis dans la file d’envoi." in response.content.decode()
    assert [m.subject for m in mailoutbox] == [failed.subject]
    failed.refresh_from_db()
    assert failed.status == OutboxMail.Status.SENT
    assert failed.attempts == 1
    assert failed.last_error == ""


def test_staff_without_permission_cannot_see_the_outbox(client):
    client.force_login(UserFactory(lab=True, is_staff=True))
    response = client.get(reverse("admin:notifications_outboxmail_changelist"))
    assert response.status_code == 403
