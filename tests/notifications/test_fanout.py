"""Fan-out off the request: above NOTIFY_FANOUT_THRESHOLD recipients, `notify` writes one row
and a task creates the notifications and queues the mails batch by batch, exactly once."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import EmailFrequency, Role
from caflab.notifications import tasks
from caflab.notifications.models import FanOut, Notification, OutboxMail
from caflab.notifications.services import fanout_run, fanouts_resume, follow, followers_of, notify
from projects import services as project_services
from projects.models import GateReview
from tests.accounts.factories import UserFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_fanouts(settings):
    settings.NOTIFY_FANOUT_THRESHOLD = 3
    settings.NOTIFY_FANOUT_BATCH_SIZE = 2


@pytest.fixture
def project(caf_a):
    return ProjectFactory(lead=UserFactory(email="porteuse@caf38.example", caf=caf_a))


def make_followers(project, count: int, *, frequency=EmailFrequency.IMMEDIATE) -> list:
    users = [
        UserFactory(
            email=f"abonne{project.pk}.{i}.{frequency}@caf.example", email_frequency=frequency
        )
        for i in range(count)
    ]
    for user in users:
        follow(user=user, obj=project)
    return users


def tell_followers(project, actor, **kwargs):
    return notify(
        recipients=followers_of(project),
        kind="project.gate_decided",
        title=f"{project.code} : décision",
        url=project.get_absolute_url(),
        actor=actor,
        **kwargs,
    )


@contextmanager
def worker_lost_on_second_batch():
    """The second batch of any fan-out fails once its rows are written, as when its worker is
    lost there: a PostgreSQL trigger refuses to move the cursor past the first batch (of 2)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_worker_lost() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'worker lost'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_worker_lost BEFORE UPDATE ON notifications_fanout
            FOR EACH ROW WHEN (NEW.processed > 2) EXECUTE FUNCTION test_worker_lost();
            """
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS test_worker_lost ON notifications_fanout;"
                "DROP FUNCTION IF EXISTS test_worker_lost();"
            )


def test_a_large_audience_is_told_after_the_commit_by_a_task_in_batches(
    project, lab_staff, mailoutbox, django_capture_on_commit_callbacks, tasks_run
):
    immediate = make_followers(project, 5)
    daily = make_followers(project, 2, frequency=EmailFrequency.DAILY)
    inactive = UserFactory(email="parti@caf.example", is_active=False)
    follow(user=inactive, obj=project)
    follow(user=lab_staff, obj=project)  # the actor is never told

    with django_capture_on_commit_callbacks(execute=True):
        assert tell_followers(project, lab_staff) == []
        assert not Notification.objects.exists()  # nothing created in the request
        assert mailoutbox == []

    told = sorted(Notification.objects.values_list("recipient_id", flat=True))
    assert told == sorted(u.pk for u in immediate + daily)
    assert {m.to[0] for m in mailoutbox} == {u.email for u in immediate}
    assert len(mailoutbox) == 5
    assert OutboxMail.objects.filter(status=OutboxMail.Status.SENT).count() == 5
    fanout = FanOut.objects.get()
    assert (fanout.status, fanout.total, fanout.processed) == (FanOut.Status.DONE, 7, 7)
    assert (fanout.notified, fanout.mailed) == (7, 5)
    # one message for the fan-out, one per batch of mails (batches of 2 recipients), never one
    # per mail
    assert tasks_run.count("fan_out") == 1
    assert tasks_run.count("send_outbox_mail") == 0
    assert tasks_run.count("send_outbox_mails") == 3
    # ids only in the task arguments, nothing personal
    for _task, args in tasks_run.calls:
        for arg in args:
            assert isinstance(arg, int) or all(isinstance(i, int) for i in arg)


def test_a_small_audience_is_still_told_in_the_request(project, lab_staff):
    followers = make_followers(project, 3)
    notifications = tell_followers(project, lab_staff)
    assert sorted(n.recipient_id for n in notifications) == sorted(u.pk for u in followers)
    assert not FanOut.objects.exists()


def test_the_request_cost_does_not_grow_with_the_audience(
    project, lab_staff, django_capture_on_commit_callbacks
):
    make_followers(project, 4)
    other = ProjectFactory(lead=project.lead)
    make_followers(other, 12)
    counts = []
    for target in (project, other):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            tell_followers(target, lab_staff)
        counts.append(len(queries))
        assert len(callbacks) == 1  # the fan-out task, queued once
    # one read of the audience (ids only), one fan-out row written, with its savepoints
    assert counts[0] == counts[1] <= 7


def test_running_the_task_twice_tells_nobody_twice(
    project, lab_staff, django_capture_on_commit_callbacks
):
    make_followers(project, 5)
    with django_capture_on_commit_callbacks(execute=True):
        tell_followers(project, lab_staff)
    fanout = FanOut.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.fan_out.delay(fanout.pk).get() == 0  # a redelivered message
        assert fanout_run(fanout_id=fanout.pk) == 0
    assert Notification.objects.count() == 5
    assert OutboxMail.objects.count() == 5


def test_a_task_dying_mid_batch_is_resumed_where_it_stopped(
    project, lab_staff, django_capture_on_commit_callbacks
):
    make_followers(project, 5)
    tell_followers(project, lab_staff)  # on_commit not run: the task is "in the queue"
    fanout = FanOut.objects.get()
    with worker_lost_on_second_batch(), pytest.raises(DatabaseError, match="worker lost"):
        fanout_run(fanout_id=fanout.pk)
    fanout.refresh_from_db()
    assert fanout.processed == 2  # the first batch committed, the second rolled back
    assert Notification.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_run(fanout_id=fanout.pk) == 3
    fanout.refresh_from_db()
    assert fanout.status == FanOut.Status.DONE
    assert Notification.objects.count() == 5
    assert OutboxMail.objects.count() == 5
    assert Notification.objects.values("recipient_id").distinct().count() == 5


def test_without_postgresql_the_batches_go_through_the_orm_with_the_same_result(
    project, lab_staff, django_capture_on_commit_callbacks
):
    immediate = make_followers(project, 3)
    daily = make_followers(project, 2, frequency=EmailFrequency.DAILY)
    tell_followers(project, lab_staff)
    fanout = FanOut.objects.get()
    with (
        mock.patch.object(connection, "vendor", "sqlite"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert fanout_run(fanout_id=fanout.pk) == 5
    deliveries = dict(Notification.objects.values_list("recipient_id", "email_delivery"))
    assert deliveries == {u.pk: "immediate" for u in immediate} | {u.pk: "digest" for u in daily}
    assert OutboxMail.objects.count() == 3


def test_a_notification_is_unique_per_fanout_and_recipient(project, lab_staff):
    followers = make_followers(project, 4)
    tell_followers(project, lab_staff)
    fanout = FanOut.objects.get()
    fanout_run(fanout_id=fanout.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=followers[0], kind="x", title="x", fanout=fanout)


def test_the_same_event_key_fans_out_once(project, lab_staff):
    make_followers(project, 4)
    tell_followers(project, lab_staff, key="project.gate_decided:1")
    tell_followers(project, lab_staff, key="project.gate_decided:1")
    assert FanOut.objects.count() == 1


def test_flush_resumes_a_fanout_whose_message_was_lost(project, lab_staff, published_tasks):
    make_followers(project, 4)
    tell_followers(project, lab_staff)  # its message never reaches a worker
    fanout = FanOut.objects.get()
    assert fanouts_resume() == 0  # too recent: its task may still be on its way
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert fanouts_resume(now=later) == 1
    assert published_tasks.messages == [(tasks.fan_out.name, (fanout.pk,))]
    fanout_run(fanout_id=fanout.pk)
    assert fanouts_resume(now=later) == 0  # done: nothing more


def test_a_mail_batch_stops_at_a_temporary_error_and_leaves_the_rest_pending(
    project, lab_staff, mail_server
):
    make_followers(project, 4)
    tell_followers(project, lab_staff)
    fanout_run(fanout_id=FanOut.objects.get().pk)  # its on_commit mail tasks never run here
    ids = list(OutboxMail.objects.order_by("pk").values_list("pk", flat=True))
    mail_server.fail(ConnectionRefusedError())
    result = tasks.send_outbox_mails.delay(ids).get()
    assert result == {"retry": 1}
    assert mail_server.sends == 1
    assert OutboxMail.objects.pending().count() == 4  # flush_outbox takes them again


def test_gate_decision_on_a_popular_project_tells_every_follower(
    project, lab_staff, mailoutbox, django_capture_on_commit_callbacks
):
    followers = make_followers(project, 6)
    review = GateReviewFactory(project=project)
    with django_capture_on_commit_callbacks(execute=True):
        project_services.gate_decide(
            review=review, by=lab_staff, decision=GateReview.Decision.RECYCLE, rationale="Pas mûr."
        )
    told = set(
        Notification.objects.filter(kind="project.gate_decided").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {u.pk for u in followers} | {project.lead_id}
    assert FanOut.objects.get().key == f"project.gate_decided:{review.pk}"


def test_admin_lists_and_shows_fanouts(client, project, lab_staff):
    make_followers(project, 4)
    tell_followers(project, lab_staff)
    client.force_login(UserFactory(admin=True, role=Role.ADMIN))
    fanout = FanOut.objects.get()
    changelist = reverse("admin:notifications_fanout_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "décision", "status": "pending"}).status_code == 200
    assert (
        client.get(reverse("admin:notifications_fanout_change", args=[fanout.pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:notifications_fanout_add")).status_code == 403
