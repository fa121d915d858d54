"""Exports of the coded texts are durable background jobs (caflab.core.jobs), like écoute's:
the request only records the export and queues its task; the task builds the file (masked,
formula-safe) into the private storage; a killed job is queued again by the beat; the file is
its requester's only, while they manage the analysis (others: 404); old files are purged."""

import csv
import datetime
import io
import os

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analysis import tasks
from analysis.models import AnalysisExport, CodeAssignment
from analysis.services import (
    code_create,
    export_build,
    export_request,
    export_retry,
    exports_purge,
    exports_requeue_stale,
)
from caflab.accounts.personal_data import sections
from caflab.celery import app as celery_app
from caflab.core import jobs
from caflab.core.errors import AlreadyDone
from tests.analysis.factories import answer_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(analysis_a, correspondent_a):
    """Caf A's analysis (six texts, one with a phone number), one text coded."""
    code = code_create(analysis=analysis_a, label="Attente")
    CodeAssignment.objects.create(
        text=analysis_a.texts.order_by("pk").first(),
        code=code,
        assigned_by=correspondent_a,
        assigned_at=timezone.now(),
    )
    return analysis_a


def running(analysis, user, *, lease_in: datetime.timedelta, attempts: int = 1):
    """An export a worker claimed, its lease ending in `lease_in` (negative: expired)."""
    return AnalysisExport.objects.create(
        analysis=analysis,
        requested_by=user,
        format="csv",
        status=AnalysisExport.Status.RUNNING,
        progress=40,
        attempts=attempts,
        lease_expires_at=timezone.now() + lease_in,
    )


def test_the_task_builds_a_masked_formula_safe_csv_into_private_storage(
    settings, coded, correspondent_a, consultation_a
):
    answer_texts(consultation_a.questionnaire.questions.get(), ['=HYPERLINK("http://x","clic")'])
    from analysis.services import texts_request

    texts_request(analysis=coded)
    export = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    assert export.status == "queued"  # nothing built by the request
    assert not export.file
    assert tasks.build_export(export.pk) == "ready"
    export.refresh_from_db()
    assert (export.status, export.progress, export.row_count) == ("ready", 100, 7)
    assert export.file.path.startswith(settings.PRIVATE_MEDIA_ROOT)
    with export.file.open("rb") as stored:
        content = stored.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][-2:] == ["Codes", "Doublon de"]
    assert len(rows) == 8
    assert "[téléphone masqué]" in content
    assert "06 12 34 56 78" not in content
    assert "'=HYPERLINK" in content
    assert [r[7] for r in rows[1:]].count("Attente") == 1
    assert correspondent_a.notifications.filter(kind="analysis.export_ready").exists()


def test_the_xlsx_is_built_with_one_row_per_text(coded, correspondent_a):
    export = export_request(analysis=coded, by=correspondent_a, fmt="xlsx")
    assert export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    with export.file.open("rb") as stored:
        sheet = openpyxl.load_workbook(io.BytesIO(stored.read())).active
    assert sheet.max_row == 7  # the header and six texts


def test_asking_for_an_export_queues_its_task_after_the_commit_and_builds_nothing(
    client, coded, correspondent_a, published_tasks, django_capture_on_commit_callbacks
):
    client.force_login(correspondent_a)
    url = reverse("analysis:export", kwargs={"pk": coded.pk, "fmt": "xlsx"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    export = AnalysisExport.objects.get()
    assert response["Location"] == export.get_absolute_url()
    assert published_tasks.of(tasks.build_export) == [(export.pk,)]
    export.refresh_from_db()
    assert export.status == "queued"
    assert not export.file
    assert client.get(url).status_code == 405  # a GET never starts (nor builds) an export


def test_the_export_request_costs_the_same_few_queries_whatever_the_number_of_texts(
    client, coded, correspondent_a, consultation_a
):
    from analysis.services import texts_request

    client.force_login(correspondent_a)
    url = reverse("analysis:export", kwargs={"pk": coded.pk, "fmt": "csv"})
    counts = []
    for n in (3, 300):
        answer_texts(consultation_a.questionnaire.questions.get(), [f"Texte {i}" for i in range(n)])
        texts_request(analysis=coded)
        AnalysisExport.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(url).status_code == 302
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == QUERIES_EXPORT_REQUEST


QUERIES_EXPORT_REQUEST = 8


def test_the_page_shows_progress_then_the_download_for_the_requester_only(
    client, request, coded, correspondent_a, lab_staff
):
    export = running(coded, correspondent_a, lease_in=datetime.timedelta(minutes=2))
    client.force_login(correspondent_a)
    page = client.get(export.get_absolute_url()).content.decode()
    assert "Export en cours\u00a0: 40 %." in page
    assert 'data-hx-trigger="every 2s"' in page
    fragment = client.get(export.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="export-etat"')
    download_url = reverse("analysis:export-download", kwargs={"pk": export.pk})
    assert client.get(download_url).status_code == 404  # not ready yet

    AnalysisExport.objects.filter(pk=export.pk).update(status="queued", lease_expires_at=None)
    assert export_build(export_id=export.pk) == "ready"
    page = client.get(export.get_absolute_url()).content.decode()
    assert "L’export est prêt\u00a0: 6 textes." in page
    assert download_url in page
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="analyse-votre-accueil')
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")
    results = client.get(reverse("analysis:results", kwargs={"pk": coded.pk})).content.decode()
    assert export.get_absolute_url() in results

    # A manager too, but not the requester; another Caf's correspondent; an agent of Caf A.
    for persona in ("lab_staff", "correspondent_b", "agent_a"):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(export.get_absolute_url()).status_code == 404, persona
        assert client.get(download_url).status_code == 404, persona
        assert (
            export.get_absolute_url()
            not in client.get(reverse("analysis:results", kwargs={"pk": coded.pk})).content.decode()
        )


def test_a_requester_who_no_longer_manages_the_analysis_gets_404(client, coded, correspondent_a):
    export = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    export_build(export_id=export.pk)
    coded.consultation.caf = None  # a national consultation now: the lab's, not Caf A's
    coded.consultation.save(update_fields=["caf"])
    client.force_login(correspondent_a)
    assert client.get(export.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("analysis:export-download", kwargs={"pk": export.pk})).status_code == 404
    )


def test_an_export_whose_worker_died_is_requeued_and_built(coded, correspondent_a):
    export = running(coded, correspondent_a, lease_in=datetime.timedelta(seconds=-1))
    assert exports_requeue_stale() == 1  # tasks run in-process in tests: built at once
    export.refresh_from_db()
    assert (export.status, export.attempts, export.row_count) == ("ready", 2, 6)
    assert export.lease_expires_at is None


def test_an_export_under_a_live_lease_is_left_to_its_worker(coded, correspondent_a):
    export = running(coded, correspondent_a, lease_in=datetime.timedelta(minutes=2))
    assert exports_requeue_stale() == 0
    assert export_build(export_id=export.pk) == "skipped"  # a redelivered message
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("running", 1)


def test_a_queued_export_whose_message_was_lost_is_queued_again(coded, correspondent_a):
    export = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    assert exports_requeue_stale(now=timezone.now() + datetime.timedelta(minutes=10)) == 1
    export.refresh_from_db()
    assert export.status == "ready"


def test_after_the_last_attempt_the_export_fails_and_can_be_relaunched(
    client, coded, correspondent_a, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 3
    export = running(coded, correspondent_a, lease_in=datetime.timedelta(seconds=-1), attempts=3)
    assert exports_requeue_stale() == 0
    export.refresh_from_db()
    assert export.status == "failed"
    assert "interrompu 3 fois" in export.error
    assert correspondent_a.notifications.filter(kind="analysis.export_failed").exists()
    client.force_login(correspondent_a)
    assert "Relancer l’export" in client.get(export.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analysis:export-retry", kwargs={"pk": export.pk}))
    fresh = AnalysisExport.objects.exclude(pk=export.pk).get()
    assert response["Location"] == fresh.get_absolute_url()
    fresh.refresh_from_db()
    assert fresh.status == "ready"
    with pytest.raises(AlreadyDone):
        export_retry(export=fresh, by=correspondent_a)


def test_a_worker_that_lost_its_lease_cannot_finish_the_export(coded, correspondent_a, settings):
    settings.JOB_LEASE_SECONDS = 0
    export = AnalysisExport.objects.create(
        analysis=coded, requested_by=correspondent_a, format="csv"
    )
    first = jobs.claim(AnalysisExport, export.pk)
    second = jobs.claim(AnalysisExport, export.pk)
    assert (first, second) == (1, 2)
    with pytest.raises(jobs.LeaseLost):
        jobs.heartbeat(AnalysisExport, export.pk, first, progress=50)
    assert not jobs.complete(AnalysisExport, export.pk, first, row_count=1)


def test_a_double_click_returns_the_waiting_export_and_a_stuck_one_is_replaced(
    coded, correspondent_a
):
    first = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    assert export_request(analysis=coded, by=correspondent_a, fmt="csv") == first
    AnalysisExport.objects.filter(pk=first.pk).update(
        status="running", attempts=1, lease_expires_at=timezone.now() - datetime.timedelta(1)
    )
    fresh = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    assert fresh.pk != first.pk
    first.refresh_from_db()
    assert first.status == "failed"


def test_old_exports_are_purged_with_their_files(coded, correspondent_a):
    export = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    export_build(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path
    assert exports_purge() == 0
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert not AnalysisExport.objects.exists()
    assert not os.path.exists(path)


def test_the_requesters_exports_go_with_their_data(
    coded, correspondent_a, django_capture_on_commit_callbacks
):
    export = export_request(analysis=coded, by=correspondent_a, fmt="csv")
    export_build(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path
    (section,) = [s for s in sections() if s.key == "analysis.activity"]
    assert ("analysis.AnalysisExport", "requested_by") in section.covers
    with django_capture_on_commit_callbacks(execute=True):
        section.erase(correspondent_a)
    assert not AnalysisExport.objects.exists()
    assert not os.path.exists(path)


def test_the_beat_requeues_and_purges_the_exports():
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "analysis.tasks.requeue_stale_exports" in schedule
    assert "analysis.tasks.purge_exports" in schedule
