"""Impact reports that cover the spread: the snapshot freezes each deployment (Caf, status,
dates, local lead by name only), its adaptation log (what, why, planned or reactive, faithful
or not) and the latest measurements of its Caf; the report draws the map of the 101 Caf with
the deployments as its data table, in the site and in the PDF. A snapshot taken before this
(version 1, no deployments) still renders. No evaluation plan, no report: a French refusal
with a link to create the plan."""

import io

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caflab.core.errors import NotAllowedNow
from caflab.network.models import Caf
from evaluation.models import EvaluationPlan, ImpactReport
from evaluation.reporting import render_report_html, render_report_pdf
from evaluation.services.reports import NoEvaluationPlan, report_build, report_request
from evaluation.snapshot import SNAPSHOT_VERSION, project_snapshot, snapshot_digest
from projects.models import Deployment
from tests.evaluation.factories import caf, evaluated_project, spread_project
from tests.projects.factories import DeploymentFactory, ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    return evaluated_project()


@pytest.fixture
def spread(project, lab_staff):
    return spread_project(project, by=lab_staff)


def requested(project, capture) -> ImpactReport:
    """A report requested by the project's lead and built by the (eager) task."""
    with capture(execute=True):
        report = report_request(project=project, by=project.lead)
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY, report.error
    return report


def pdf_text(report: ImpactReport) -> str:
    with report.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- the snapshot ------------------------------------------------------------------------------


def test_the_snapshot_freezes_each_deployment_with_its_history_adaptations_and_measurements(
    project, spread
):
    snapshot = project_snapshot(project)
    assert snapshot["version"] == SNAPSHOT_VERSION == 2
    ain, rhone, savoie = snapshot["deployments"]  # the network's order: 01, 69, 73
    assert (ain["caf_code"], rhone["caf_code"], savoie["caf_code"]) == ("01", "69", "73")

    assert rhone["caf_name"] == caf("69").name
    assert (rhone["status"], rhone["status_label"]) == ("running", "En fonctionnement")
    assert rhone["local_lead"] == "Léa Ferrand"
    assert [h["status"] for h in rhone["history"]] == ["interested", "preparing", "running"]
    assert rhone["running_since"] == rhone["history"][-1]["on"]
    assert rhone["declared_on"]
    assert rhone["status_since"]
    assert rhone["adaptations"] == [
        {
            "made_on": "2026-03-02",
            "what": "Appels le samedi matin.",
            "why": "Les parents qui travaillent ne répondent pas en semaine.",
            "kind": "planned",
            "kind_label": "Prévue",
            "is_faithful": True,
        },
        {
            "made_on": "2026-05-18",
            "what": "Rendez-vous par SMS au lieu d'un appel.",
            "why": "Trop d'appels sans réponse.",
            "kind": "reactive",
            "kind_label": "Réactive",
            "is_faithful": False,
        },
    ]
    # Next to the deployment: the latest value of each indicator measured in its Caf.
    assert rhone["measurements"] == [
        {
            "indicator": "Taux d'ouverture des droits",
            "unit": "%",
            "period": "2026-07-01",
            "value": "47.00",
        }
    ]

    assert ain["is_ended"] is True
    assert ain["reason"] == "Pas d'agent disponible cette année."
    assert ain["running_since"] is None
    assert ain["measurements"] == []
    assert savoie["status"] == "interested"
    assert savoie["local_lead"] == ""  # no name: never the e-mail address instead
    assert "sans.nom@caf73.example" not in str(snapshot)


def test_a_project_deployed_nowhere_has_an_empty_spread_and_its_report_says_so(
    project, django_capture_on_commit_callbacks
):
    assert project_snapshot(project)["deployments"] == []
    report = requested(project, django_capture_on_commit_callbacks)
    assert "Essaimage\u00a0: déploiements et adaptations" in report.html
    assert "Ce projet n’est encore déployé dans aucune autre Caf." in report.html
    assert 'id="rapport-carte-titre"' not in report.html  # no empty map


def test_the_snapshot_of_the_spread_costs_the_same_queries_whatever_the_deployments(
    project, spread, lab_staff
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            project_snapshot(project)
        return len(ctx.captured_queries)

    few = queries()
    for code in ("02", "03", "04", "05", "06", "07", "08"):
        deployment = DeploymentFactory(project=project, caf=caf(code), status="running")
        deployment.adaptations.create(what="Autre horaire.", why="Affluence.")
    assert queries() == few


# --- the report: HTML, map, PDF ----------------------------------------------------------------


def test_the_report_shows_the_deployments_the_map_and_the_adaptation_log(
    project, spread, django_capture_on_commit_callbacks
):
    html = requested(project, django_capture_on_commit_callbacks).html
    assert 'href="#essaimage"' in html  # in the table of contents
    assert "Essaimage\u00a0: déploiements et adaptations" in html
    assert "3 Caf se sont engagées dans le déploiement." in html
    assert (
        "En fonctionnement ou pérennisé\u00a0: 1\u00a0; "
        "intéressées ou en préparation\u00a0: 1\u00a0; " in html
    )
    # The map: the 101 Caf, each square coloured by its deployment, and its data table.
    assert html.count('<g data-caf="') == 101
    assert '<g data-caf="69" data-status="running">' in html
    assert '<g data-caf="01" data-status="ended">' in html
    assert '<g data-caf="38" data-status="none">' in html
    assert 'id="rapport-carte-tableau"' in html
    assert "Léa Ferrand" in html
    assert "Taux d&#x27;ouverture des droits\u00a0: 47 % (07/2026)" in html
    assert "Pas d&#x27;agent disponible cette année." in html
    # The adaptation log, its fidelity in words.
    assert "Journal des adaptations" in html
    assert "Rendez-vous par SMS au lieu d&#x27;un appel." in html
    assert "Écart au modèle" in html
    assert "Fidèle" in html


def test_the_pdf_has_the_deployments_section_the_map_and_the_adaptation_log(
    project, spread, django_capture_on_commit_callbacks
):
    """Generated for real by WeasyPrint, read back with pypdf."""
    text = pdf_text(requested(project, django_capture_on_commit_callbacks))
    assert "Essaimage : déploiements et adaptations" in text
    assert "Où" in text
    assert "est déployé : les 101 Caf" in text
    assert caf("69").name in text
    assert "Léa Ferrand" in text
    assert "En fonctionnement" in text
    assert "Renoncement" in text
    assert "Journal des adaptations" in text
    assert "Appels le samedi matin." in text
    assert "Trop d'appels sans réponse." in text
    assert "Écart au modèle" in text
    assert "47 %" in text


def test_the_report_page_shows_the_spread(
    client, project, spread, django_capture_on_commit_callbacks
):
    report = requested(project, django_capture_on_commit_callbacks)
    client.force_login(project.lead)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Journal des adaptations" in page
    assert "css/evaluation.css" in page  # sizes the map in the site


def test_the_report_page_costs_the_same_queries_whatever_the_spread(
    client, project, django_capture_on_commit_callbacks
):
    """The page reads the stored body: a report of 2 or of 30 deployments costs the same."""
    client.force_login(project.lead)
    cafs = iter(Caf.objects.exclude(code="38").order_by("position"))

    def page_queries(deployed: int) -> int:
        while Deployment.objects.filter(project=project).count() < deployed:
            deployment = DeploymentFactory(project=project, caf=next(cafs), status="running")
            deployment.adaptations.create(what="Autre horaire.", why="Affluence.")
        ImpactReport.objects.all().delete()
        report = requested(project, django_capture_on_commit_callbacks)
        assert len(report.snapshot["deployments"]) == deployed
        return _count(client, report.get_absolute_url())

    assert page_queries(2) == page_queries(30) == 4


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- a report stored before the spread entered reports -----------------------------------------


def test_a_version_1_snapshot_without_deployments_still_renders_and_builds(
    project, spread, django_capture_on_commit_callbacks
):
    old = project_snapshot(project)
    del old["deployments"]
    old["version"] = 1
    html = render_report_html(old)
    assert "Indicateurs\u00a0: référence, cible et résultats" in html
    assert "Essaimage" not in html  # no section, rather than a wrong "deployed nowhere"
    assert render_report_pdf(title="Ancien rapport", body=html, snapshot=old).startswith(b"%PDF-")
    # A stored version-1 report, rebuilt by the worker (the admin's "relancer"), is ready.
    report = ImpactReport.objects.create(
        scope=ImpactReport.Scope.PROJECT,
        project=project,
        title="Ancien rapport",
        snapshot=old,
        snapshot_digest=snapshot_digest(old),
        requested_by=project.lead,
    )
    assert report_build(report_id=report.pk) == "ready"
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.READY
    assert "Essaimage" not in report.html


# --- no evaluation plan, no report -------------------------------------------------------------


@pytest.fixture
def unplanned(lead, caf_a):
    return ProjectFactory(lead=lead, pilot_caf=caf_a)


def test_the_service_refuses_a_report_for_a_project_without_an_evaluation_plan(unplanned):
    with pytest.raises(NoEvaluationPlan) as refused:
        report_request(project=unplanned, by=unplanned.lead)
    assert isinstance(refused.value, NotAllowedNow)  # a refusal, never a 500
    assert "n’a pas encore de plan d’évaluation" in str(refused.value)
    assert refused.value.redirect_to == reverse(
        "evaluation:report-list", kwargs={"code": unplanned.code}
    )
    assert not ImpactReport.objects.exists()


def test_asking_for_a_report_without_a_plan_explains_why_and_links_to_the_plan(client, unplanned):
    client.force_login(unplanned.lead)
    create = reverse("evaluation:report-create", kwargs={"code": unplanned.code})
    response = client.post(create, follow=True)
    assert response.redirect_chain == [
        (reverse("evaluation:report-list", kwargs={"code": unplanned.code}), 302)
    ]
    page = response.content.decode()
    assert "n’a pas encore de plan d’évaluation" in page  # the message
    plan_url = reverse("evaluation:plan-update", kwargs={"code": unplanned.code})
    assert f'href="{plan_url}"' in page
    assert "Créer le plan d’évaluation" in page
    assert create not in page  # no button that would be refused again
    assert not ImpactReport.objects.exists()


def test_the_project_page_offers_the_plan_instead_of_a_report_until_there_is_one(client, unplanned):
    client.force_login(unplanned.lead)
    create = reverse("evaluation:report-create", kwargs={"code": unplanned.code})
    page = client.get(unplanned.get_absolute_url()).content.decode()
    assert create not in page
    assert "Un rapport d’impact pourra être généré une fois le plan d’évaluation créé" in page
    plan_url = reverse("evaluation:plan-update", kwargs={"code": unplanned.code})
    assert page.count(f'href="{plan_url}"') == 1  # the plans part's link, just above
    EvaluationPlan.objects.create(project=unplanned)
    page = client.get(unplanned.get_absolute_url()).content.decode()
    assert create in page
    assert "pourra être généré une fois le plan" not in page


def test_who_may_not_write_the_plan_is_told_to_ask_the_team(client, unplanned, agent_b):
    client.force_login(agent_b)
    page = client.get(
        reverse("evaluation:report-list", kwargs={"code": unplanned.code})
    ).content.decode()
    assert "Demandez à l’équipe du projet de le créer." in page
    assert reverse("evaluation:plan-update", kwargs={"code": unplanned.code}) not in page


def test_the_report_list_without_a_plan_costs_the_same_queries(client, unplanned):
    from tests.evaluation.factories import ImpactReportFactory

    client.force_login(unplanned.lead)

    def add_reports(n):
        for _ in range(n):
            ImpactReportFactory(project=unplanned)

    url = reverse("evaluation:report-list", kwargs={"code": unplanned.code})
    assert_flat_query_count(client, url, add_reports, expected=5)


def test_the_project_page_without_a_plan_costs_the_same_queries(client, unplanned):
    from tests.evaluation.factories import ImpactReportFactory

    client.force_login(unplanned.lead)
    client.get(unplanned.get_absolute_url())  # warm the page's per-user caches

    def add_reports(n):
        for _ in range(n):
            ImpactReportFactory(project=unplanned)

    assert_flat_query_count(client, unplanned.get_absolute_url(), add_reports)
