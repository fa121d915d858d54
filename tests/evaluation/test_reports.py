"""Impact reports: frozen snapshot, built by a task that is safe to run twice and survives a
worker restart, HTML identical on regeneration, a PDF whose text has every section, only
consented testimonies, and the failure path."""

import io
import json
from pathlib import Path

import pypdf
import pytest

from evaluation import tasks
from evaluation.models import ImpactReport
from evaluation.models import Testimony as TestimonyModel
from evaluation.services.reports import (
    ReportResult,
    portfolio_report_request,
    report_build,
    report_request,
    reports_requeue_stale,
)
from evaluation.snapshot import project_snapshot, snapshot_digest
from tests.evaluation.factories import MeasurementFactory, evaluated_project

pytestmark = pytest.mark.django_db

BROKEN_TEMPLATES = Path(__file__).resolve().parents[1] / "broken_templates"

SECTIONS = [
    "Sommaire",
    "Synthèse",
    "Contexte et théorie du changement",
    "Méthode et niveau de preuve",
    "Indicateurs : référence, cible et résultats",
    "Résultats par Caf",
    "Témoignages",
    "Effets négatifs et inattendus",
    "Transition écologique",
    "Jugements par critère",
    "Recommandations",
]


def pdf_text(report: ImpactReport) -> str:
    with report.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    # Table cells wrap: compare with whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_outline(report: ImpactReport) -> list[str]:
    with report.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    return list(titles(reader.outline))


@pytest.fixture
def project(db):
    return evaluated_project()


@pytest.fixture
def requested(project, django_capture_on_commit_callbacks):
    """A report requested by the project's lead and built by the (eager) task."""
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    return report


def test_a_requested_report_is_built_ready_with_html_and_pdf(requested, project):
    assert requested.status == ImpactReport.Status.READY
    assert requested.progress == 100
    assert requested.requested_by == project.lead
    assert requested.snapshot_digest == snapshot_digest(requested.snapshot)
    assert (
        "Taux d&#x27;ouverture des droits" in requested.html or "Taux d’ouverture" in requested.html
    )
    assert "<svg" in requested.html
    assert requested.pdf.name.endswith(".pdf")


def test_the_pdf_has_every_section_and_the_key_values(requested):
    text = pdf_text(requested)
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Taux d'ouverture des droits" in text
    assert "Former les agents à l'appel sortant." in text
    assert "Surcharge des agents d'accueil le lundi." in text
    assert "Appels répartis sur la semaine." in text  # the mitigation
    assert "Moins de familles isolées" in text  # ecological assessment
    # baseline 40, latest 55, target 60; Caf 38 at 58 and Caf 69 at 47 in the charts' tables
    for value in ("40", "55", "60", "58", "47"):
        assert value in text
    outline = pdf_outline(requested)
    assert "Synthèse" in outline
    assert "Recommandations" in outline


def test_only_consented_testimonies_enter_the_report(requested):
    assert TestimonyModel.objects.filter(consent_to_quote=False).exists()
    assert "confidentiel" not in json.dumps(requested.snapshot)
    assert "confidentiel" not in requested.html
    assert "confidentiel" not in pdf_text(requested)
    assert "avant même que je pense" in requested.html


def test_the_snapshot_is_frozen_at_request_time(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(project=project, by=project.lead)
    # Data changes after the request, before the worker runs: the report does not see them.
    indicator = project.indicators.get(name="Taux d'ouverture des droits")
    MeasurementFactory(indicator=indicator, period="2026-10-01", value="99.00")
    project.testimonies.update(consent_to_quote=True)
    for callback in callbacks:
        callback()
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    assert "99" not in [p["value"] for i in report.snapshot["indicators"] for p in i["series"]]
    assert "confidentiel" not in report.html


def test_building_twice_skips_the_ready_report_and_changes_nothing(requested):
    before = (requested.html, requested.pdf.name, requested.finished_at)
    assert report_build(report_id=requested.pk) == ReportResult.SKIPPED
    requested.refresh_from_db()
    assert (requested.html, requested.pdf.name, requested.finished_at) == before
    assert ImpactReport.objects.count() == 1


def test_a_running_report_redelivered_after_a_worker_restart_rebuilds_the_same_report(requested):
    first_html, first_text = requested.html, pdf_text(requested)
    # The worker died mid-build: the message comes back to a RUNNING report.
    ImpactReport.objects.filter(pk=requested.pk).update(status="running", progress=40, html="")
    assert tasks.build_report.apply(args=[requested.pk]).get() == ReportResult.READY
    requested.refresh_from_db()
    assert requested.status == ImpactReport.Status.READY
    assert requested.html == first_html
    assert pdf_text(requested) == first_text


def test_regenerating_from_the_same_snapshot_gives_identical_html_and_pdf(requested):
    from evaluation.reporting import render_report_html, render_report_pdf

    stored = ImpactReport.objects.get(pk=requested.pk)  # the snapshot as read back from the DB
    assert render_report_html(stored.snapshot) == requested.html
    first = render_report_pdf(title=stored.title, body=stored.html, snapshot=stored.snapshot)
    second = render_report_pdf(title=stored.title, body=stored.html, snapshot=stored.snapshot)
    assert first == second


def test_the_task_acknowledges_late_and_gives_back_its_message_if_the_worker_dies():
    assert tasks.build_report.acks_late is True
    assert tasks.build_report.reject_on_worker_lost is True


def test_a_double_click_returns_the_waiting_report(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = report_request(project=project, by=project.lead)
        second = report_request(project=project, by=project.lead)
    assert first == second
    assert ImpactReport.objects.count() == 1


def broken_pdf_layout(templates: list[dict]) -> list[dict]:
    """TEMPLATES where the PDF layout cannot render (tests/broken_templates comes first)."""
    engine = templates[0]
    return [{**engine, "DIRS": [BROKEN_TEMPLATES, *engine["DIRS"]]}, *templates[1:]]


def test_a_failed_build_records_the_error_and_tells_the_requester(
    project, django_capture_on_commit_callbacks, settings
):
    from caflab.notifications.models import Notification

    settings.TEMPLATES = broken_pdf_layout(settings.TEMPLATES)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.FAILED
    assert report.error == "TemplateDoesNotExist: evaluation/reports/absent_fonts.html"
    assert not report.pdf
    notice = Notification.objects.get(recipient=project.lead)
    assert notice.kind == "evaluation.report_failed"
    assert notice.url == report.get_absolute_url()


def test_the_requester_is_told_when_the_report_is_ready(requested, project):
    from caflab.notifications.models import Notification

    notice = Notification.objects.get(recipient=project.lead)
    assert notice.kind == "evaluation.report_ready"
    assert notice.url == requested.get_absolute_url()


def test_stale_reports_are_queued_again(project, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        report = report_request(project=project, by=project.lead)
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert reports_requeue_stale(now=later) == 1  # eager: built at once
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY


def test_the_snapshot_digest_is_stable_and_the_snapshot_ordered(project):
    first = project_snapshot(project)
    second = project_snapshot(project)
    first.pop("taken_at"), second.pop("taken_at")
    assert snapshot_digest(first) == snapshot_digest(second)
    names = [i["name"] for i in first["indicators"]]
    assert names == ["Taux d'ouverture des droits", "Délai de traitement"]
    rate, delay = first["indicators"]
    assert rate["baseline_value"] == "40.00"
    assert rate["latest_value"] == "55.00"
    assert rate["target_value"] == "60.00"
    assert rate["status"] == "improving"
    assert [c["caf_code"] for c in rate["by_caf"]] == ["38", "69"]
    assert delay["status"] == "improving"  # 30 → 21 days, target 15


def test_a_portfolio_report_counts_each_project(
    project, lab_staff, django_capture_on_commit_callbacks
):
    evaluated_project(title="Autre")
    with django_capture_on_commit_callbacks(execute=True):
        report = portfolio_report_request(by=lab_staff)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    assert report.project is None
    rows = {row["code"]: row for row in report.snapshot["projects"]}
    row = rows[project.code]
    assert row["indicators"] == {"reached": 0, "improving": 2, "off_track": 0, "no_data": 0}
    assert row["open_severe_effects"] == 1
    assert row["judgements"] == 2
    assert row["mean_rating"] == "3.5"
    assert row["ecological"] == {"positive": 1, "neutral": 1, "negative": 0}
    assert report.snapshot["totals"]["projects"] == 2
    text = pdf_text(report)
    for heading in ("Synthèse", "Étapes et niveaux de preuve", "Projet par projet"):
        assert heading in text
    assert project.code in text


def test_the_admin_rebuilds_a_failed_report_from_its_snapshot(
    project, django_capture_on_commit_callbacks, settings
):
    from evaluation.services.reports import reports_rebuild_failed

    templates = settings.TEMPLATES
    settings.TEMPLATES = broken_pdf_layout(templates)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.FAILED
    digest = report.snapshot_digest
    settings.TEMPLATES = templates  # the layout is repaired
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_rebuild_failed(ids=[report.pk]) == 1
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    assert report.error == ""
    assert report.snapshot_digest == digest
    assert reports_rebuild_failed(ids=[report.pk]) == 0  # only failed ones


def test_rendering_reads_only_the_snapshot_never_the_database(requested, django_assert_num_queries):
    from evaluation.reporting import render_report_html, render_report_pdf

    snapshot = ImpactReport.objects.get(pk=requested.pk).snapshot
    with django_assert_num_queries(0):
        html = render_report_html(snapshot)
        render_report_pdf(title=requested.title, body=html, snapshot=snapshot)


def test_an_indicator_measured_in_the_caf_only_reports_their_mean_per_period(project):
    """Without a national value, a period's value is the mean of its Caf (as on the indicator's
    page): the report's chart and the portfolio's status use it instead of "no data"."""
    import datetime

    from evaluation.models import Indicator
    from evaluation.snapshot import portfolio_snapshot
    from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, caf

    visits = IndicatorFactory(
        project=project,
        name="Visites évitées",
        baseline_value=0,
        position=3,
        direction=Indicator.Direction.HIGHER,
    )
    IndicatorTargetFactory(indicator=visits, period=datetime.date(2026, 12, 1), value=20)
    for code, value in (("38", 10), ("69", 15)):
        MeasurementFactory(
            indicator=visits, period=datetime.date(2026, 4, 1), caf=caf(code), value=value
        )
    MeasurementFactory(indicator=visits, period=datetime.date(2026, 7, 1), caf=caf("38"), value=21)

    indicator = next(
        i for i in project_snapshot(project)["indicators"] if i["name"] == "Visites évitées"
    )
    assert indicator["series"] == [
        {"period": "2026-04-01", "value": "12.50", "n_cafs": 2},
        {"period": "2026-07-01", "value": "21.00", "n_cafs": 1},
    ]
    assert indicator["latest_value"] == "21.00"
    rate = next(
        i
        for i in project_snapshot(project)["indicators"]
        if i["name"] == "Taux d'ouverture des droits"
    )
    assert rate["series"][-1] == {"period": "2026-07-01", "value": "55.00", "n_cafs": 0}  # national
    statuses = {row["code"]: row for row in portfolio_snapshot()["projects"]}[project.code]
    assert statuses["indicators"]["no_data"] == 0
    assert statuses["indicators"]["reached"] == 1  # 21 from Caf 38 meets the target of 20


def test_the_report_compares_survey_waves_question_by_question(
    project, django_capture_on_commit_callbacks
):
    """What stakeholders answered, wave by wave, enters the report: the share of each option
    and the mean of a scale; a wave under 5 answers is masked, as on the site."""
    from evaluation.models import SurveyWave
    from evaluation.services.participation import wave_answer_for_demo
    from tests.evaluation.factories import SurveyWaveFactory, make_survey
    from tests.evaluation.test_participation import answers_for

    survey = make_survey(project, title="Vos droits à la naissance")
    before = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.BEFORE, label="Avant")
    after = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.AFTER, label="Après")
    small = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.FOLLOW_UP, label="Suivi")
    for choice in ("Non", "Non", "Non", "Oui", "Non"):
        wave_answer_for_demo(wave=before, answers=answers_for(survey, 2, choice))
    for choice in ("Oui", "Oui", "Oui", "En partie", "Oui", "Oui"):
        wave_answer_for_demo(wave=after, answers=answers_for(survey, 4, choice))
    wave_answer_for_demo(wave=small, answers=answers_for(survey, 5, "Oui"))

    entry = next(s for s in project_snapshot(project)["surveys"] if s["title"] == survey.title)
    assert [w["label"] for w in entry["waves"]] == ["Avant", "Après", "Suivi"]
    scale, choice = entry["questions"]
    assert scale["measure"] == "mean"
    assert scale["rows"][0]["values"] == ["2.00", "4.00", None]
    assert choice["label"] == "Connaissez-vous vos droits ?"
    assert choice["rows"][0] == {"label": "Oui", "values": ["20.0", "83.3", None]}

    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    assert "Résultats de «\u00a0Vos droits à la naissance\u00a0», vague par vague" in report.html
    assert "83,3 %" in report.html
    assert "moins de 5 réponses" in report.html
    text = pdf_text(report)
    assert "Connaissez-vous vos droits ?" in text
    assert "83,3 %" in text
