"""Exports checked cell by cell: one row per response, columns in questionnaire order, one column
per option for multiple choice and ranking, "other" in its own column, anonymous and assisted
rows marked, formula-like cells escaped; built by a task, downloadable by its requester only."""

import csv
import datetime
import io
import os

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.conditions import AnswerValue
from ecoute.exports import export_content
from ecoute.models import Audience, ExportJob, Question, Response
from ecoute.services import export_build, export_request, response_submit
from ecoute.services.exports import exports_purge, exports_requeue_stale
from tests.ecoute.factories import QuestionFactory, SectionFactory, first_section, option

pytestmark = pytest.mark.django_db

HEADER = [
    "N°",
    "Date",
    "Public",
    "Caf",
    "Anonyme",
    "Saisie assistée",
    "Q1. Êtes-vous satisfait de l'accueil ?",
    "Q1. Êtes-vous satisfait de l'accueil ? : Autre (précisez)",
    "Q2. Un commentaire ?",
    "Q3. Vos canaux : Téléphone",
    "Q3. Vos canaux : Courriel",
    "Q3. Vos canaux : Autre (précisez)",
    "Q4. Priorités : Délais",
    "Q4. Priorités : Accueil",
    "Q5. Note",
    "Q6. Dernière visite",
    "Q7. J'accepte",
    "Q8. Question retirée",
]


@pytest.fixture
def survey(consultation, citizen, caf_a):
    questionnaire = consultation.questionnaire
    choice = questionnaire.questions.get(kind=Question.Kind.SINGLE_CHOICE)
    Question.objects.filter(pk=choice.pk).update(allow_other=True)
    choice.refresh_from_db()
    text = questionnaire.questions.get(kind=Question.Kind.LONG_TEXT)
    section = first_section(consultation)
    multiple = QuestionFactory(
        section=section,
        kind=Question.Kind.MULTIPLE_CHOICE,
        label="Vos canaux",
        allow_other=True,
        options=["Téléphone", "Courriel"],
    )
    ranking = QuestionFactory(
        section=section,
        kind=Question.Kind.RANKING,
        label="Priorités",
        options=["Délais", "Accueil"],
    )
    second = SectionFactory(questionnaire=questionnaire, position=2)
    scale = QuestionFactory(
        section=second, kind=Question.Kind.SCALE, label="Note", scale_min=0, scale_max=10
    )
    date = QuestionFactory(section=second, kind=Question.Kind.DATE, label="Dernière visite")
    consent = QuestionFactory(section=second, kind=Question.Kind.CONSENT, label="J'accepte")
    hidden = QuestionFactory(section=second, label="Question retirée")

    def submit(day, **kwargs):
        # An anonymous response is written without being returned: the one not yet dated.
        response_submit(questionnaire=questionnaire, **kwargs)
        Response.objects.filter(
            questionnaire=questionnaire, submitted_on=timezone.localdate()
        ).update(submitted_on=day)

    submit(
        datetime.date(2026, 3, 1),
        answers={
            choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,)),
            text.pk: AnswerValue(text="=cmd|' /C calc'!A0"),
            multiple.pk: AnswerValue(choices=(option(multiple, "Courriel").pk,), other="@SUM(1)"),
            ranking.pk: AnswerValue(
                ranks={option(ranking, "Délais").pk: 2, option(ranking, "Accueil").pk: 1}
            ),
            scale.pk: AnswerValue(number=7),
            date.pk: AnswerValue(date=datetime.date(2026, 2, 14)),
            consent.pk: AnswerValue(flag=True),
            hidden.pk: AnswerValue(text="avant d'être masquée"),
        },
        audience=Audience.CITIZEN,
        respondent=citizen,
    )
    submit(
        datetime.date(2026, 3, 2),
        answers={choice.pk: AnswerValue(other="-Plutôt oui")},
        audience=Audience.CITIZEN,
        is_anonymous=True,
        participation_keys=["cle"],
    )
    submit(
        datetime.date(2026, 3, 3),
        answers={choice.pk: AnswerValue(choices=(option(choice, "Non").pk,))},
        audience=Audience.CITIZEN,
        is_assisted=True,
        caf=caf_a,
    )
    Question.objects.filter(pk=hidden.pk).update(is_hidden=True)
    return questionnaire


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_one_row_per_response_and_its_columns_in_questionnaire_order(survey):
    rows = csv_rows(export_content(survey, "csv"))
    assert rows[0] == HEADER
    assert rows[1] == [
        "1",
        "2026-03-01",
        "Usager",
        "",
        "non",
        "non",
        "Oui",
        "",
        "'=cmd|' /C calc'!A0",
        "0",
        "1",
        "'@SUM(1)",
        "2",
        "1",
        "7",
        "2026-02-14",
        "oui",
        "avant d'être masquée",
    ]
    assert (
        rows[2] == ["2", "2026-03-02", "Usager", "", "oui", "non", "", "'-Plutôt oui"] + [""] * 10
    )
    assert rows[3] == [
        "3",
        "2026-03-03",
        "Usager",
        "Caf de l'Isère",
        "non",
        "oui",
        "Non",
        *[""] * 11,
    ]
    assert len(rows) == 4


def test_the_xlsx_has_the_same_cells_with_formulas_stored_as_text(survey):
    workbook = openpyxl.load_workbook(io.BytesIO(export_content(survey, "xlsx")))
    sheet = workbook["Réponses"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    first = rows[1]
    assert first[0] == 1
    assert first[1].date() == datetime.date(2026, 3, 1)
    assert first[6:9] == ["Oui", None, "=cmd|' /C calc'!A0"]
    assert first[9:15] == [0, 1, "@SUM(1)", 2, 1, 7]
    formula_cell = sheet.cell(row=2, column=9)
    assert formula_cell.data_type == "s"
    assert formula_cell.quotePrefix
    assert rows[2][4:8] == ["oui", "non", None, "-Plutôt oui"]
    assert sheet.cell(row=3, column=8).data_type == "s"
    assert rows[3][3:6] == ["Caf de l'Isère", "non", "oui"]


def test_an_export_job_builds_the_file_tells_its_requester_and_serves_them_only(
    client, lab_staff, moderator, survey, django_capture_on_commit_callbacks
):
    client.force_login(lab_staff)
    url = reverse("ecoute:export-create", kwargs={"pk": survey.consultation.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ExportJob.Status.READY
    assert job.row_count == 3
    assert job.requested_by.notifications.filter(kind="ecoute.export_ready").exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "L’export est prêt\u00a0: 3 réponses." in page
    download = client.get(reverse("ecoute:export-download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="reponses-')
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"PK")

    client.force_login(moderator)  # a manager too, but not the requester
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("ecoute:export-download", kwargs={"pk": job.pk})).status_code == 404


def test_the_export_file_lives_outside_public_media(settings, survey, lab_staff):
    job = export_request(questionnaire=survey, by=lab_staff, fmt="csv")
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.file.path.startswith(settings.PRIVATE_MEDIA_ROOT)
    assert not job.file.path.startswith(str(settings.MEDIA_ROOT))


def test_a_running_export_shows_its_progress_and_polls_with_htmx(client, lab_staff, survey):
    job = ExportJob.objects.create(
        questionnaire=survey,
        requested_by=lab_staff,
        format="csv",
        status="running",
        progress=40,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=2),  # its worker is alive
    )
    client.force_login(lab_staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Export en cours\u00a0: 40 %." in page
    assert 'data-hx-trigger="every 2s"' in page
    assert "Actualiser la page" in page
    fragment = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="export-etat"')
    assert client.get(reverse("ecoute:export-download", kwargs={"pk": job.pk})).status_code == 404


def test_building_an_export_twice_is_safe(survey, lab_staff):
    job = export_request(questionnaire=survey, by=lab_staff, fmt="csv")
    assert export_build(job_id=job.pk) == "ready"
    assert export_build(job_id=job.pk) == "skipped"


def test_a_double_click_returns_the_waiting_export(survey, lab_staff):
    first = export_request(questionnaire=survey, by=lab_staff, fmt="csv")
    assert export_request(questionnaire=survey, by=lab_staff, fmt="csv") == first


def test_stale_jobs_are_queued_again_and_old_files_purged(survey, lab_staff):
    job = export_request(questionnaire=survey, by=lab_staff, fmt="csv")
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert exports_requeue_stale(now=later) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY  # eager in tests: built at once
    path = job.file.path
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert not ExportJob.objects.exists()
    assert not os.path.exists(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_larger_than_the_memory_spool_goes_through_a_file_whole(
    settings, survey, lab_staff, fmt
):
    """Big exports spill from memory to a temporary file: the stored file is the same."""
    settings.ECOUTE_EXPORT_SPOOL_BYTES = 64
    job = export_request(questionnaire=survey, by=lab_staff, fmt=fmt)
    assert export_build(job_id=job.pk) == "ready"
    job.refresh_from_db()
    with job.file.open("rb") as stored:
        content = stored.read()
    assert len(content) > 64
    if fmt == "csv":
        assert content == export_content(survey, "csv")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert sheet.max_row == 4  # the header and 3 responses


def test_the_csv_writer_leaves_its_stream_open_for_the_caller():
    from caflab.core.spreadsheets import write_csv

    stream = io.BytesIO()
    assert write_csv(stream, ["Nom"], [["=1+1"], ["Anaïs"]]) == 2
    assert not stream.closed
    assert stream.getvalue() == "\ufeffNom\r\n'=1+1\r\nAnaïs\r\n".encode()
