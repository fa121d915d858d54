"""The impact report's PDF opens with a cover (issue 17): CafLab's identity, the title, the
project and its Caf, the period, the author (never an e-mail address), the plan's version and
"Document généré le …" in Paris time; the body starts on page 2, and the following pages are
numbered "Page N sur M". Generated for real by WeasyPrint, read back with pypdf."""

import datetime
import io

import pypdf
import pytest

from evaluation.models import ImpactReport
from evaluation.reporting import render_report_html, render_report_pdf
from evaluation.services.plans import plan_version_save
from evaluation.services.reports import portfolio_report_request, report_request
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import evaluated_project

pytestmark = pytest.mark.django_db


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (table cells and long lines wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def report_pages(report: ImpactReport) -> list[str]:
    with report.pdf.open("rb") as handle:
        return pages_text(handle.read())


@pytest.fixture
def project(db):
    return evaluated_project(
        code="INNO-2026-417",
        lead=UserFactory(
            email="lucie.marchand@caf38.example",
            first_name="Lucie",
            last_name="Marchand",
            lab=True,
        ),
        started_on=datetime.date(2026, 1, 5),
    )


def build(project, django_capture_on_commit_callbacks, by=None) -> ImpactReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(project=project, by=by or project.lead)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    return report


def test_page_one_is_the_cover_with_title_project_author_version_and_date(
    project, django_capture_on_commit_callbacks
):
    report = build(project, django_capture_on_commit_callbacks)
    cover, second, *_rest = report_pages(report)
    assert cover.startswith("CafLab Innovation de la branche Famille Rapport d’impact")
    assert report.title in cover
    assert "Projet INNO-2026-417 – Rendez-vous des droits à la naissance" in cover
    assert "Caf pilote Caf de l'Isère" in cover or "Caf pilote Caf de l’Isère" in cover
    assert "Demandé par Lucie Marchand" in cover
    assert "lucie.marchand@caf38.example" not in cover  # a name, never an address
    # The plan has never been frozen: the report answers its version 1 being written.
    assert "Version Plan d’évaluation, version 1 (pas encore figée)" in cover
    taken = datetime.datetime.fromisoformat(report.snapshot["taken_at"])
    paris = taken.astimezone(datetime.timezone(datetime.timedelta(hours=1)))  # December: UTC+1
    if taken.month in range(4, 11):
        paris = taken.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert f"Document généré le {paris.day} " in cover
    assert f"à {paris:%H:%M}" in cover
    assert "Période Du 5 janvier 2026 au" in cover
    # The body starts on page 2, not on the cover; the cover has no page number.
    assert "Sommaire" not in cover
    assert "Page 1 sur" not in cover
    assert second.startswith("Projet INNO-2026-417 « Rendez-vous des droits à la naissance ».")
    assert "Sommaire" in second
    assert f"Page 2 sur {len(report_pages(report))}" in second


def test_the_generation_time_is_written_in_paris_time_summer_and_winter(project):
    from evaluation.snapshot import project_snapshot

    snapshot = project_snapshot(project)
    html = render_report_html(snapshot)
    for taken_at, expected in (
        ("2026-07-14T08:30:00+00:00", "Document généré le 14 juillet 2026 à 10:30"),
        ("2026-12-31T23:15:00+00:00", "Document généré le 1 janvier 2027 à 00:15"),
    ):
        snapshot["taken_at"] = taken_at
        cover = pages_text(render_report_pdf(title="Rapport", body=html, snapshot=snapshot))[0]
        assert expected in cover


def test_the_cover_gives_the_last_frozen_plan_version(project, django_capture_on_commit_callbacks):
    plan = project.evaluation_plan
    for _ in range(2):
        plan_version_save(plan=plan, by=project.lead, note="", expected_version=plan.version)
    report = build(project, django_capture_on_commit_callbacks)
    assert report.snapshot["plan"]["version"] == 3  # the one being written
    cover = report_pages(report)[0]
    assert "Version Plan d’évaluation, version 2 (dernière version figée)" in cover


def test_an_erased_requester_is_not_named(project, django_capture_on_commit_callbacks):
    from caflab.accounts.models import ERASED_EMAIL_DOMAIN

    report = build(project, django_capture_on_commit_callbacks)
    project.lead.email = f"compte-{project.lead.pk}{ERASED_EMAIL_DOMAIN}"
    project.lead.save(update_fields=["email"])
    ImpactReport.objects.filter(pk=report.pk).update(status="running", html="")
    from evaluation.services.reports import report_build

    report_build(report_id=report.pk)
    report.refresh_from_db()
    cover = report_pages(report)[0]
    assert "Demandé par" not in cover
    assert "Marchand" not in cover


def test_the_portfolio_report_opens_with_its_own_cover(project, django_capture_on_commit_callbacks):
    director = UserFactory(first_name="Hélène", last_name="Directrice", lab=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = portfolio_report_request(by=director)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    cover, second, *_rest = report_pages(report)
    assert cover.startswith("CafLab Innovation de la branche Famille Rapport d’impact")
    assert report.title in cover
    assert "Portée Portefeuille des innovations évaluées (1 projet)" in cover
    assert "Demandé par Hélène Directrice" in cover
    assert "Document généré le" in cover
    assert "Données arrêtées au" in cover
    assert "Sommaire" not in cover
    assert second.startswith("Portefeuille des innovations évaluées. Données arrêtées le")
    assert "Page 2 sur" in second
