"""notify(): who is told, in-app and by e-mail, and when; follows."""

import pytest

from caflab.notifications.models import Follow, Notification, OutboxMail
from caflab.notifications.services import (
    follow,
    followers_of,
    is_following,
    notify,
    unfollow,
)
from caflab.notifications.tasks import send_outbox_mails
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify_about_idea(recipients, **kwargs):
    defaults = {
        "kind": "idea.status_changed",
        "title": "Votre idée « Simulateur de droits » est acceptée",
        "body": "Elle devient un projet du portefeuille.",
        "url": "/projets/12/",
    }
    return notify(recipients=recipients, **{**defaults, **kwargs})


def test_notify_creates_an_in_app_notification_per_recipient(immediate_user, daily_user, actor):
    notifications = notify_about_idea([immediate_user, daily_user], actor=actor)
    assert len(notifications) == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        immediate_user.pk,
        daily_user.pk,
    }
    notification = Notification.objects.for_user(immediate_user).get()
    assert notification.kind == "idea.status_changed"
    assert notification.url == "/projets/12/"
    assert notification.actor == actor
    assert not notification.is_read


def test_immediate_user_gets_exactly_one_mail_after_the_commit(
    immediate_user, actor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_about_idea([immediate_user], actor=actor)
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [immediate_user.email]
    assert message.subject == "[CafLab] Votre idée « Simulateur de droits » est acceptée"
    assert "Elle devient un projet du portefeuille." in message.body
    assert "http://127.0.0.1:8000/projets/12/" in message.body
    assert "&laquo;" not in message.body  # plain text, not HTML-escaped
    mail = OutboxMail.objects.get()
    assert mail.status == OutboxMail.Status.SENT
    assert mail.attempts == 1
    assert mail.notification.recipient == immediate_user


def test_the_queued_task_carries_only_the_mail_ids_in_one_message(
    immediate_user, django_capture_on_commit_callbacks, published_tasks
):
    others = UserFactory.create_batch(2, citizen=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea([immediate_user, *others])
    ids = sorted(OutboxMail.objects.values_list("pk", flat=True))
    # One broker message for the call, not one per mail (issue 20: a request publishes once).
    assert len(published_tasks.messages) == 1
    [(mail_ids,)] = published_tasks.of(send_outbox_mails)
    assert sorted(mail_ids) == ids


def test_daily_and_weekly_users_get_no_immediate_mail(
    daily_user, weekly_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea([daily_user, weekly_user])
    assert mailoutbox == []
    assert not OutboxMail.objects.exists()
    assert set(Notification.objects.values_list("email_delivery", flat=True)) == {"digest"}


def test_never_user_gets_no_mail(never_user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea([never_user])
    assert mailoutbox == []
    assert Notification.objects.get().email_delivery == Notification.Delivery.NONE


@pytest.mark.parametrize("user_fixture", ["never_user", "daily_user", "weekly_user"])
def test_own_contribution_is_mailed_at_once_whatever_the_preference(
    request, user_fixture, mailoutbox, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(user_fixture)
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea([user], own_contribution=True)
    assert [m.to for m in mailoutbox] == [[user.email]]
    notification = Notification.objects.get()
    assert notification.is_own_contribution
    assert notification.email_delivery == Notification.Delivery.IMMEDIATE


def test_the_actor_is_never_notified_of_their_own_action(
    actor, immediate_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications = notify_about_idea(
            [actor, immediate_user], actor=actor, own_contribution=True
        )
    assert [n.recipient for n in notifications] == [immediate_user]
    assert not Notification.objects.for_user(actor).exists()
    assert [m.to for m in mailoutbox] == [[immediate_user.email]]


def test_duplicate_and_inactive_recipients_are_skipped(immediate_user, mailoutbox):
    inactive = UserFactory(citizen=True, is_active=False)
    notifications = notify_about_idea([immediate_user, immediate_user, inactive, None])
    assert [n.recipient for n in notifications] == [immediate_user]
    assert OutboxMail.objects.count() == 1


def test_nobody_to_tell_creates_nothing(actor):
    assert notify_about_idea([actor], actor=actor) == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("url", ["https://ailleurs.example/", "//ailleurs.example/x", "projets/1"])
def test_a_notification_only_links_to_a_same_site_path(immediate_user, url):
    with pytest.raises(ValueError, match="same-site"):
        notify_about_idea([immediate_user], url=url)
    assert not Notification.objects.exists()


def test_a_newline_in_the_title_does_not_break_the_mail_subject(
    immediate_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea([immediate_user], title="Première ligne\nBcc: intrus@example.org")
    assert mailoutbox[0].subject == "[CafLab] Première ligne Bcc: intrus@example.org"
    assert mailoutbox[0].bcc == []


def test_notifying_many_recipients_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(30, citizen=True)
    with (
        django_assert_max_num_queries(6),
        django_capture_on_commit_callbacks(execute=False),  # nothing published
    ):
        notify_about_idea(users)
    assert OutboxMail.objects.count() == 30


# --- follows ------------------------------------------------------------------------------


def test_following_twice_keeps_one_row(agent_a, caf_a):
    first = follow(user=agent_a, obj=caf_a)
    second = follow(user=agent_a, obj=caf_a)
    assert first == second
    assert Follow.objects.count() == 1
    assert is_following(user=agent_a, obj=caf_a)


def test_unfollowing_removes_the_follow(agent_a, caf_a):
    follow(user=agent_a, obj=caf_a)
    assert unfollow(user=agent_a, obj=caf_a) is True
    assert unfollow(user=agent_a, obj=caf_a) is False
    assert not is_following(user=agent_a, obj=caf_a)


def test_followers_of_an_object_are_its_active_followers_only(
    agent_a, agent_b, citizen, caf_a, caf_b
):
    follow(user=agent_a, obj=caf_a)
    follow(user=citizen, obj=caf_a)
    follow(user=agent_b, obj=caf_b)  # another object
    follow(user=agent_b, obj=agent_a)  # same id space, another model
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert list(followers_of(caf_a)) == [agent_a]


def test_followers_are_told_except_the_one_who_acted(
    agent_a, agent_b, caf_a, mailoutbox, django_capture_on_commit_callbacks
):
    follow(user=agent_a, obj=caf_a)
    follow(user=agent_b, obj=caf_a)
    with django_capture_on_commit_callbacks(execute=True):
        notify_about_idea(followers_of(caf_a), actor=agent_a)
    assert [m.to for m in mailoutbox] == [[agent_b.email]]
