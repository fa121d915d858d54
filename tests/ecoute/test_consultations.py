"""Consultations: created as drafts with their questionnaire, moved through their statuses by
their managers, opened and closed at their dates by the periodic task (safe to run twice)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caflab.notifications.models import Notification
from ecoute.models import Consultation, Response
from ecoute.services import consultation_create, consultation_move
from ecoute.tasks import open_and_close_consultations
from tests.ecoute.factories import (
    ConsultationFactory,
    QuestionFactory,
    RestitutionFactory,
    first_section,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

Status = Consultation.Status


def form_data(**overrides):
    now = timezone.localtime()
    data = {
        "title": "Vos démarches en ligne",
        "summary": "Dites-nous ce qui vous aide et ce qui vous gêne.",
        "body": "",
        "audience": "citizens",
        "access": "public",
        "allow_anonymous": "on",
        "opens_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "privacy_controller": "Caf de l'Isère",
        "privacy_purpose": "Améliorer les démarches en ligne.",
        "privacy_retention_months": "12",
        "privacy_contact": "dpo@caf38.example",
        "privacy_rights": "Vos droits.",
    }
    data.update(overrides)
    return data


def test_a_correspondent_creates_a_draft_for_their_caf_with_its_questionnaire(
    client, correspondent_a, caf_a
):
    client.force_login(correspondent_a)
    form = client.get(reverse("ecoute:create")).context["form"]
    assert "caf" not in form.fields
    assert [c[0] for c in form.fields["access"].choices] == ["public", "agents", "community"]
    response = client.post(reverse("ecoute:create"), form_data())
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("ecoute:builder", kwargs={"pk": consultation.pk})
    assert consultation.status == Status.DRAFT
    assert consultation.caf == caf_a
    assert consultation.owner == correspondent_a
    assert consultation.slug == "vos-demarches-en-ligne"
    assert consultation.questionnaire.sections.count() == 1


def test_the_form_refuses_a_closing_date_before_the_opening(client, lab_staff):
    client.force_login(lab_staff)
    response = client.post(reverse("ecoute:create"), form_data(closes_at="2020-01-01T10:00"))
    assert "La clôture doit suivre l" in response.content.decode()
    assert not Consultation.objects.exists()


def test_slugs_are_unique_and_never_shadow_the_apps_paths(lab_staff):
    first = consultation_create(by=lab_staff, title="Gestion", summary="…")
    second = consultation_create(by=lab_staff, title="Gestion", summary="…")
    assert first.slug != "gestion"
    assert second.slug not in ("gestion", first.slug)


def test_publishing_needs_a_question_and_opens_at_once_when_the_date_has_come(lab_staff, draft_a):
    with pytest.raises(ValidationError, match="au moins une question"):
        consultation_move(consultation=draft_a, action="publish", by=lab_staff)
    QuestionFactory(section=first_section(draft_a))
    moved = consultation_move(consultation=draft_a, action="publish", by=lab_staff)
    assert moved.status == Status.OPEN
    # the owner (Caf A's correspondent) is told what the lab did
    assert Notification.objects.filter(recipient=draft_a.owner, kind="ecoute.status").exists()


def test_publishing_before_the_opening_date_schedules(lab_staff, draft_a):
    QuestionFactory(section=first_section(draft_a))
    Consultation.objects.filter(pk=draft_a.pk).update(
        opens_at=timezone.now() + datetime.timedelta(days=2)
    )
    draft_a.refresh_from_db()
    assert (
        consultation_move(consultation=draft_a, action="publish", by=lab_staff).status
        == Status.SCHEDULED
    )
    assert (
        consultation_move(consultation=draft_a, action="unpublish", by=lab_staff).status
        == Status.DRAFT
    )


def test_closing_early_records_the_real_closing_date(lab_staff, consultation):
    closed = consultation_move(consultation=consultation, action="close", by=lab_staff)
    assert closed.status == Status.CLOSED
    assert closed.closes_at <= timezone.now()
    closed = consultation_move(consultation=closed, action="publish_results", by=lab_staff)
    assert closed.status == Status.RESULTS_PUBLISHED
    RestitutionFactory(consultation=closed)  # archived once its restitution is published
    assert (
        consultation_move(consultation=closed, action="archive", by=lab_staff).status
        == Status.ARCHIVED
    )


def test_a_move_that_does_not_apply_is_explained(client, lab_staff, consultation):
    client.force_login(lab_staff)
    response = client.post(
        reverse("ecoute:status", kwargs={"pk": consultation.pk}), {"action": "archive"}, follow=True
    )
    assert "Seule une consultation close peut être archivée." in response.content.decode()


def test_the_periodic_task_opens_and_closes_consultations_at_their_dates(lab_staff):
    now = timezone.now()
    due = ConsultationFactory(
        status=Status.SCHEDULED, opens_at=now - datetime.timedelta(minutes=1), owner=lab_staff
    )
    later = ConsultationFactory(
        status=Status.SCHEDULED, opens_at=now + datetime.timedelta(days=1), owner=lab_staff
    )
    ending = ConsultationFactory(
        status=Status.OPEN,
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now - datetime.timedelta(minutes=1),
        owner=lab_staff,
    )
    assert open_and_close_consultations.delay().get() == [1, 1]
    statuses = dict(Consultation.objects.values_list("pk", "status"))
    assert statuses == {due.pk: Status.OPEN, later.pk: Status.SCHEDULED, ending.pk: Status.CLOSED}
    kinds = sorted(Notification.objects.filter(recipient=lab_staff).values_list("kind", flat=True))
    assert kinds == ["ecoute.closed", "ecoute.opened"]


def test_the_periodic_task_is_safe_to_run_twice(lab_staff):
    now = timezone.now()
    ConsultationFactory(
        status=Status.SCHEDULED, opens_at=now - datetime.timedelta(minutes=1), owner=lab_staff
    )
    open_and_close_consultations.delay()
    assert open_and_close_consultations.delay().get() == [0, 0]
    assert Notification.objects.filter(kind="ecoute.opened").count() == 1


def test_a_scheduled_consultation_past_both_dates_opens_then_closes_in_one_run(lab_staff):
    now = timezone.now()
    missed = ConsultationFactory(
        status=Status.SCHEDULED,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        owner=lab_staff,
    )
    open_and_close_consultations.delay()
    missed.refresh_from_db()
    assert missed.status == Status.CLOSED


def test_the_beat_schedule_runs_the_task_every_minute():
    from caflab.celery import app

    entry = app.conf.beat_schedule["ecoute-open-and-close-consultations"]
    assert entry["task"] == "ecoute.tasks.open_and_close_consultations"
    assert entry["schedule"] == 60.0


def test_the_managers_page_pins_its_query_count(client, lab_staff):
    client.force_login(lab_staff)
    # session, user, unread notifications, count, the page (with response counts)
    assert_flat_query_count(
        client,
        reverse("ecoute:manage"),
        lambda n: [ConsultationFactory(owner=lab_staff) for _ in range(n)],
        sizes=(2, 12),
        expected=5,
    )


def test_the_landing_page_pins_its_query_count(client, lab_staff):
    # anonymous: the consultations, their perimeters
    assert_flat_query_count(
        client,
        reverse("ecoute:index"),
        lambda n: [ConsultationFactory(owner=lab_staff) for _ in range(n)],
        sizes=(2, 12),
        expected=2,
    )


def test_the_anonymity_promise_cannot_change_once_answers_exist(
    client, lab_staff, anonymous_consultation
):
    Response.objects.create(
        questionnaire=anonymous_consultation.questionnaire, is_anonymous=True, audience="citizen"
    )
    client.force_login(lab_staff)
    url = reverse("ecoute:update", kwargs={"pk": anonymous_consultation.pk})
    form = client.get(url).context["form"]
    assert form.fields["allow_anonymous"].disabled
    data = form_data(title=anonymous_consultation.title)
    del data["allow_anonymous"]
    assert client.post(url, data).status_code == 302
    anonymous_consultation.refresh_from_db()
    assert anonymous_consultation.allow_anonymous


def test_the_closed_status_reads_close_not_django_s_button_label():
    """Django's French catalogue translates "Close" as "Fermer" (a button): the consultation
    status has its own context."""
    from django.utils import translation

    from ecoute.models import Consultation

    with translation.override("fr"):
        assert str(Consultation.Status.CLOSED.label) == "Close"
