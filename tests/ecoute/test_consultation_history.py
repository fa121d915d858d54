"""A consultation's status history: every move (a manager's, the admin's archive, the periodic
task's at the dates) writes one row, from, to, by, at, reason, through the shared
`transition()`; a move already made is "already done" and writes nothing; the manage page
lists the history; the rows are kept (no cascade) and started from the audit trail."""

import datetime
import importlib

import pghistory
import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from caflab.core.errors import AlreadyDone, InvalidState
from ecoute.models import Consultation, ConsultationStatusChange
from ecoute.services import consultation_move, consultations_open_and_close
from tests.accounts.factories import UserFactory
from tests.concurrency import run_together
from tests.ecoute.factories import (
    ConsultationFactory,
    QuestionFactory,
    RestitutionFactory,
    first_section,
)

pytestmark = pytest.mark.django_db

Status = Consultation.Status


def moves(consultation) -> list[tuple[str, str, object, str]]:
    return [
        (c.from_state, c.to_state, c.by, c.reason)
        for c in ConsultationStatusChange.objects.filter(consultation=consultation).order_by("pk")
    ]


def test_each_managers_move_writes_its_history_row(lab_staff, consultation):
    closed = consultation_move(consultation=consultation, action="close", by=lab_staff)
    consultation_move(consultation=closed, action="publish_results", by=lab_staff)
    RestitutionFactory(consultation=closed)
    consultation_move(consultation=closed, action="archive", by=lab_staff)

    assert moves(consultation) == [
        (Status.OPEN, Status.CLOSED, lab_staff, ""),
        (Status.CLOSED, Status.RESULTS_PUBLISHED, lab_staff, ""),
        (Status.RESULTS_PUBLISHED, Status.ARCHIVED, lab_staff, ""),
    ]
    change = ConsultationStatusChange.objects.filter(consultation=consultation).first()
    consultation.refresh_from_db()
    assert change.at <= consultation.status_changed_at


def test_publishing_picks_its_target_from_the_dates_under_the_lock(lab_staff, draft_a):
    QuestionFactory(section=first_section(draft_a))
    seen = Consultation.objects.get(pk=draft_a.pk)  # read before the dates change
    Consultation.objects.filter(pk=draft_a.pk).update(
        opens_at=timezone.now() + datetime.timedelta(days=2)
    )

    moved = consultation_move(consultation=seen, action="publish", by=lab_staff)

    assert moved.status == Status.SCHEDULED
    assert moves(draft_a) == [(Status.DRAFT, Status.SCHEDULED, lab_staff, "")]


def test_a_move_already_made_is_already_done_and_writes_nothing(lab_staff, draft_a):
    QuestionFactory(section=first_section(draft_a))
    seen_by_both = Consultation.objects.get(pk=draft_a.pk)
    consultation_move(consultation=seen_by_both, action="publish", by=lab_staff)

    with pytest.raises(AlreadyDone, match="la consultation est ouverte"):
        consultation_move(consultation=seen_by_both, action="publish", by=lab_staff)
    assert len(moves(draft_a)) == 1


def test_the_model_verbs_keep_their_own_refusals_for_the_admin(lab_staff, consultation):
    """Archiving an open consultation is refused in the verb's words (a ValidationError the
    admin shows), not "already done"; nothing is written."""
    with pytest.raises(InvalidState, match="Seule une consultation close peut être archivée"):
        consultation.archive(by=lab_staff)
    consultation.close(by=lab_staff)
    with pytest.raises(InvalidState, match="Seule une consultation ouverte peut être close"):
        consultation.close(by=lab_staff)

    assert consultation.status == Status.CLOSED
    assert moves(consultation) == [(Status.OPEN, Status.CLOSED, lab_staff, "")]


def test_the_admins_archive_action_writes_the_history(client):
    root = UserFactory(email="root@cnaf.example", admin=True)
    closed = ConsultationFactory(status=Status.CLOSED)
    RestitutionFactory(consultation=closed)
    client.force_login(root)

    client.post(
        reverse("admin:ecoute_consultation_changelist"),
        {"action": "archive", "_selected_action": [closed.pk]},
    )

    assert moves(closed) == [(Status.CLOSED, Status.ARCHIVED, root, "")]


def test_the_periodic_task_writes_its_moves_by_nobody_with_why(lab_staff):
    now = timezone.now()
    due = ConsultationFactory(
        status=Status.SCHEDULED,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    ending = ConsultationFactory(
        status=Status.OPEN,
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now - datetime.timedelta(minutes=1),
    )

    assert consultations_open_and_close(now) == (1, 1)
    assert consultations_open_and_close(now) == (0, 0)

    assert moves(due) == [(Status.SCHEDULED, Status.OPEN, None, "Ouverte à la date prévue.")]
    assert moves(ending) == [(Status.OPEN, Status.CLOSED, None, "Close à la date prévue.")]
    due.refresh_from_db()
    assert due.status_changed_at == now


def test_a_consultation_taken_back_before_the_task_runs_is_left_alone(lab_staff):
    """The task read it scheduled; a manager unpublished it meanwhile: not opened."""
    now = timezone.now()
    scheduled = ConsultationFactory(
        status=Status.SCHEDULED, opens_at=now - datetime.timedelta(minutes=1)
    )
    seen = Consultation.objects.get(pk=scheduled.pk)
    consultation_move(consultation=scheduled, action="unpublish", by=lab_staff)

    from ecoute.services.consultations import _moved_on_its_date

    assert not _moved_on_its_date(seen, to=Status.OPEN, reason="", now=now)
    scheduled.refresh_from_db()
    assert scheduled.status == Status.DRAFT


def test_the_manage_page_lists_the_history(client, lab_staff, consultation):
    consultation_move(consultation=consultation, action="close", by=lab_staff)
    client.force_login(lab_staff)

    page = client.get(consultation.get_manage_url()).content.decode()

    assert "Historique" in page
    assert "Ouverte → " in page


def test_the_history_is_never_deleted_with_its_consultation():
    field = ConsultationStatusChange._meta.get_field("consultation")
    assert field.remote_field.on_delete is models.PROTECT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_closing_at_once_make_one_move_and_one_already_done(lab_staff):
    consultation = ConsultationFactory(status=Status.OPEN)

    def close():
        return consultation_move(
            consultation=Consultation.objects.get(pk=consultation.pk), action="close", by=lab_staff
        )

    outcomes = run_together(close, 2)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "AlreadyDone",
        "Consultation",
    ]
    assert len(moves(consultation)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the audit trail needs PostgreSQL")
def test_the_history_starts_from_the_audit_trail_and_the_backfill_undoes(lab_staff, agent_a):
    migration = importlib.import_module(
        "ecoute.migrations.0016_consultation_status_history_backfill"
    )
    consultation = ConsultationFactory(status=Status.SCHEDULED)
    other_field_only = ConsultationFactory(status=Status.OPEN)
    with pghistory.context(user=lab_staff.pk, url="/ecoute/gestion/"):
        Consultation.objects.filter(pk=consultation.pk).update(status=Status.OPEN)
    with pghistory.context(user=0):  # an account erased since: nobody
        Consultation.objects.filter(pk=consultation.pk).update(status=Status.CLOSED)
    with pghistory.context(user=agent_a.pk):
        Consultation.objects.filter(pk=other_field_only.pk).update(access="agents")
    ConsultationStatusChange.objects.all().delete()  # the backfill starts from an empty table

    migration.backfill(apps, None)

    backfilled = migration.BACKFILLED
    assert moves(consultation) == [
        (Status.SCHEDULED, Status.OPEN, lab_staff, backfilled),
        (Status.OPEN, Status.CLOSED, None, backfilled),
    ]
    assert moves(other_field_only) == []
    kept = ConsultationStatusChange.record(
        consultation, from_state=Status.CLOSED, to_state=Status.ARCHIVED, by=lab_staff
    )

    migration.unbackfill(apps, None)

    assert list(ConsultationStatusChange.objects.all()) == [kept]
