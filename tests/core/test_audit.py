"""The audit trail of sensitive changes (caflab.core.audit): row changes written by PostgreSQL
triggers (so the admin, the shell and `QuerySet.update()` alike), with the request's user and
scrubbed route; acts that change no row (downloads, imports) as `AuditEvent`; a retention."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caflab.accounts import signup
from caflab.accounts.importing import people_import_file
from caflab.accounts.models import Role, User, UserEvent, UserGroupEvent
from caflab.core.audit import purge_audit_trail
from caflab.core.models import AuditEvent
from criees.models import Comment, CommentEvent
from criees.services import comment_moderate
from ecoute.models import Consultation, ConsultationEvent
from projects.models import GateReview, GateReviewEvent
from projects.services.gates import gate_decide
from tests.accounts.factories import UserFactory
from tests.criees.factories import CommentFactory
from tests.ecoute.factories import ConsultationFactory
from tests.projects.factories import GateReviewFactory

pytestmark = pytest.mark.django_db

# Row changes are recorded by triggers, which exist on PostgreSQL only.
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the audit trail's triggers exist on PostgreSQL only (SQLite has none)",
)


@pytest.fixture
def root(client):
    user = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(user)
    return user


def change(event_model, obj) -> tuple:
    """The (before, after) rows of the one change recorded for `obj`."""
    rows = list(event_model.objects.filter(pgh_obj=obj).order_by("pgh_id"))
    assert [row.pgh_label for row in rows] == ["before", "after"], rows
    return rows[0], rows[1]


@POSTGRES_ONLY
def test_a_role_change_in_the_admin_records_before_after_and_the_administrator(
    client, root, agent_a
):
    url = reverse("admin:accounts_user_change", args=[agent_a.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        role=Role.CORRESPONDENT,
        caf=agent_a.caf_id,
        groups=[],
        user_permissions=[],
        date_joined_0=agent_a.date_joined.strftime("%d/%m/%Y"),
        date_joined_1="10:00:00",
        **{"account_changes-TOTAL_FORMS": 0, "account_changes-INITIAL_FORMS": 0},
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    before, after = change(UserEvent, agent_a)
    assert (before.role, after.role) == (Role.AGENT, Role.CORRESPONDENT)
    assert after.pgh_context.metadata["user"] == root.pk
    assert after.pgh_context.metadata["url"] == url


@POSTGRES_ONLY
def test_a_queryset_update_without_any_save_is_recorded_too(agent_a):
    User.objects.filter(pk=agent_a.pk).update(is_active=False)
    before, after = change(UserEvent, agent_a)
    assert (before.is_active, after.is_active) == (True, False)
    assert after.pgh_context is None  # no request: the shell, a task, a command


@POSTGRES_ONLY
def test_granting_a_group_is_recorded(agent_a):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Modérateurs régionaux")
    agent_a.groups.add(group)
    agent_a.groups.remove(group)
    labels = list(
        UserGroupEvent.objects.filter(user=agent_a, group=group)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["added", "removed"]


@POSTGRES_ONLY
def test_a_change_of_a_consultations_status_is_recorded():
    consultation = ConsultationFactory()
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    before, after = change(ConsultationEvent, consultation)
    assert (before.status, after.status) == ("open", "closed")


@POSTGRES_ONLY
def test_a_gate_decision_is_recorded_with_its_decider(
    lab_staff, django_capture_on_commit_callbacks
):
    review = GateReviewFactory()
    with django_capture_on_commit_callbacks(execute=True):
        gate_decide(review=review, by=lab_staff, decision="recycle", rationale="Trop tôt.")
    before, after = change(GateReviewEvent, review)
    assert (before.status, after.status) == (GateReview.Status.REQUESTED, "decided")
    assert (after.decision, after.decided_by_id) == ("recycle", lab_staff.pk)


@POSTGRES_ONLY
def test_hiding_a_comment_is_recorded(lab_staff, django_capture_on_commit_callbacks):
    comment = CommentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, by=lab_staff, action="hide", note="Hors sujet")
    before, after = change(CommentEvent, comment)
    assert (before.status, after.status) == (Comment.Status.VISIBLE, Comment.Status.HIDDEN)
    assert after.moderated_by_id == lab_staff.pk


@POSTGRES_ONLY
def test_a_change_of_untracked_fields_records_nothing(agent_a):
    User.objects.filter(pk=agent_a.pk).update(
        first_name="Camille",
        last_login=timezone.now(),
        password="!",
    )
    agent_a.refresh_from_db()
    agent_a.email_frequency = "daily"
    agent_a.save()
    assert not UserEvent.objects.filter(pgh_obj=agent_a).exists()


@POSTGRES_ONLY
def test_the_context_of_a_change_made_at_a_token_route_holds_the_route_not_the_token(client):
    user = User.objects.create_user("nouvelle@example.org", "un mot de passe long", is_active=False)
    user.role = Role.CITIZEN
    user.save()
    token = signup.verification_token(user)
    response = client.get(reverse("accounts:signup-verify", kwargs={"token": token}))
    assert response.status_code == 302

    _before, after = change(UserEvent, user)
    assert after.is_active
    url = after.pgh_context.metadata["url"]
    assert token not in url
    assert url == "/comptes/inscription/confirmer/<str:token>/"
    assert after.pgh_context.metadata["user"] is None  # nobody was signed in


def test_downloading_my_data_is_recorded(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.by, event.target_id) == (
        AuditEvent.Action.PERSONAL_DATA_DOWNLOAD,
        citizen,
        str(citizen.pk),
    )
    assert event.details == {"format": "json"}
    assert event.route == reverse("accounts:my-data-download", kwargs={"fmt": "json"})


def test_an_import_of_people_is_recorded_and_a_dry_run_is_not(root, caf_a):
    data = "e-mail;prénom;nom;rôle;Caf\nnouvel.agent@caf38.example;Léa;Martin;agent;38\n".encode()
    people_import_file(data=data, filename="agents.csv", by=root, dry_run=True)
    assert not AuditEvent.objects.exists()
    people_import_file(data=data, filename="agents.csv", by=root, invite=False)
    event = AuditEvent.objects.get()
    assert (event.action, event.by) == (AuditEvent.Action.PEOPLE_IMPORT, root)
    assert event.details["created"] == 1
    assert event.details["full"] is False


def test_the_purge_erases_acts_past_the_retention_only(settings, citizen):
    settings.AUDIT_RETENTION_DAYS = 730
    now = timezone.now()
    old = AuditEvent.objects.create(
        action=AuditEvent.Action.EXPORT, by=citizen, at=now - timedelta(days=731)
    )
    recent = AuditEvent.objects.create(
        action=AuditEvent.Action.EXPORT, by=citizen, at=now - timedelta(days=729)
    )
    counts = purge_audit_trail(now=now)
    assert counts["core.AuditEvent"] == 1
    assert list(AuditEvent.objects.all()) == [recent]
    assert old.pk != recent.pk


@POSTGRES_ONLY
def test_the_purge_erases_event_rows_past_the_retention_only(settings, agent_a, agent_b):
    settings.AUDIT_RETENTION_DAYS = 730
    User.objects.filter(pk=agent_a.pk).update(is_active=False)
    User.objects.filter(pk=agent_b.pk).update(is_active=False)
    UserEvent.objects.filter(pgh_obj=agent_a).update(
        pgh_created_at=timezone.now() - timedelta(days=731)
    )
    counts = purge_audit_trail()
    assert counts["accounts.UserEvent"] == 2
    assert not UserEvent.objects.filter(pgh_obj=agent_a).exists()
    assert UserEvent.objects.filter(pgh_obj=agent_b).count() == 2


@POSTGRES_ONLY
def test_administrators_browse_and_filter_every_event(client, root, agent_a):
    User.objects.filter(pk=agent_a.pk).update(role=Role.CORRESPONDENT)
    url = reverse("admin:pghistory_middlewareevents_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "correspondent" in response.content.decode()
    for query in (
        {"label": "after"},
        {"event_model": "accounts.userevent"},
        {"q": str(agent_a.pk)},
        {"pgh_created_at__year": timezone.now().year},
    ):
        assert client.get(url, query).status_code == 200, query
    one_table = reverse("admin:accounts_userevent_changelist")
    assert client.get(one_table, {"pgh_label": "after"}).status_code == 200


def test_agents_do_not_see_the_trail(client, agent_a):
    client.force_login(agent_a)
    response = client.get(reverse("admin:core_auditevent_changelist"))
    assert response.status_code == 302


@POSTGRES_ONLY
def test_the_context_adds_no_query_to_a_page_that_writes(settings, citizen):
    """pghistory sends the context in the same round trip as each writing statement."""
    url = reverse("accounts:my-data-download", kwargs={"fmt": "csv"})

    def queries_of_the_download() -> int:
        client = Client()  # a new handler: it loads settings.MIDDLEWARE afresh
        client.force_login(citizen)
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_context = queries_of_the_download()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "AuditContext" not in m]
    assert queries_of_the_download() == with_context
