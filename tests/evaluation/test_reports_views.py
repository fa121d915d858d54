"""Report pages: who requests, reads, downloads and publishes (published reports are read by
agents, unpublished ones by the lab, the team and the requester, citizens nothing); the
project-page panel and the evaluation home at a fixed number of queries; recommendations and
management responses through their forms."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from caflab.accounts.models import Role
from evaluation.models import ImpactReport, ManagementResponse, Recommendation
from evaluation.services.reports import report_request
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import (
    EvaluationPlanFactory,
    ImpactReportFactory,
    RecommendationFactory,
    evaluated_project,
)
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def ready_report(project, **kwargs) -> ImpactReport:
    report = ImpactReportFactory(
        project=project,
        status=ImpactReport.Status.READY,
        progress=100,
        html="<p>Corps</p>",
        **kwargs,
    )
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 test"))
    return report


@pytest.fixture
def project(db, caf_a):
    """A project with an evaluation plan (without one, no report can be asked for)."""
    project = ProjectFactory(pilot_caf=caf_a)
    EvaluationPlanFactory(project=project)
    return project


@pytest.fixture
def team_member(project):
    from projects.models import TeamMember

    member = UserFactory(email="equipe@caf38.example")
    TeamMember.objects.create(project=project, user=member)
    return member


def test_the_lead_requests_a_report_from_the_project_page_and_reads_it(
    client, django_capture_on_commit_callbacks
):
    project = evaluated_project()
    client.force_login(project.lead)
    page = client.get(project.get_absolute_url())
    create_url = reverse("evaluation:report-create", kwargs={"code": project.code})
    assert create_url in page.content.decode()
    assert "Générer un rapport d’impact" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url)
    report = ImpactReport.objects.get()
    assert response["Location"] == report.get_absolute_url()
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Prêt" in detail
    assert "Indicateurs\u00a0: référence, cible et résultats" in detail
    assert reverse("evaluation:report-download", kwargs={"pk": report.pk}) in detail
    download = client.get(reverse("evaluation:report-download", kwargs={"pk": report.pk}))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # the panel lists it now
    assert report.title in client.get(project.get_absolute_url()).content.decode()


def test_the_progress_fragment_polls_until_ready_then_reloads_the_page(client, project):
    report = ImpactReportFactory(project=project, status=ImpactReport.Status.RUNNING, progress=40)
    client.force_login(project.lead)
    running = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'data-hx-trigger="every 2s"' in running.content.decode()
    assert "40 %" in running.content.decode()
    assert "HX-Refresh" not in running
    ImpactReport.objects.filter(pk=report.pk).update(status="ready", progress=100)
    ready = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert "hx-trigger" not in ready.content.decode()
    assert ready["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("who", "unpublished", "published"),
    [
        ("lab_staff", 200, 200),
        ("lead", 200, 200),
        ("team_member", 200, 200),
        ("requester", 200, 200),
        ("agent_a", 404, 200),
        ("agent_b", 404, 200),
        ("correspondent_a", 404, 200),
        ("citizen", 403, 403),
    ],
)
def test_who_reads_a_report_published_or_not(
    client, request, project, team_member, who, unpublished, published
):
    requester = UserFactory(email="demandeur@caf38.example", role=Role.CORRESPONDENT)
    report = ready_report(project, requested_by=requester)
    user = {
        "lead": project.lead,
        "team_member": team_member,
        "requester": requester,
    }.get(who) or request.getfixturevalue(who)
    client.force_login(user)
    urls = [
        report.get_absolute_url(),
        reverse("evaluation:report-download", kwargs={"pk": report.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == unpublished, url
    ImpactReport.objects.filter(pk=report.pk).update(is_published=True)
    for url in urls:
        assert client.get(url).status_code == published, url


def test_a_report_of_a_draft_project_is_404_to_the_network_even_published(
    client, agent_a, lab_staff
):
    draft = ProjectFactory(is_draft=True, lead=lab_staff)
    report = ready_report(draft, is_published=True)
    client.force_login(agent_a)
    assert client.get(report.get_absolute_url()).status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, project):
    report = ready_report(project, is_published=True)
    response = client.get(report.get_absolute_url())
    assert response.status_code == 302
    assert "/connexion" in response["Location"] or "login" in response["Location"]


def test_the_team_publishes_and_withdraws_a_report(client, project, team_member, agent_a):
    report = ready_report(project)
    url = reverse("evaluation:report-publish", kwargs={"pk": report.pk})
    client.force_login(agent_a)
    assert client.post(url).status_code == 404  # unpublished: hidden
    client.force_login(team_member)
    client.post(url, {"action": "publish"})
    report.refresh_from_db()
    assert report.is_published
    client.force_login(agent_a)
    assert client.post(url, {"action": "unpublish"}).status_code == 403  # reads, may not publish
    client.force_login(team_member)
    client.post(url, {"action": "unpublish"})
    report.refresh_from_db()
    assert not report.is_published


def test_a_report_not_ready_cannot_be_published_nor_downloaded(client, project):
    report = ImpactReportFactory(project=project)
    client.force_login(project.lead)
    response = client.post(
        reverse("evaluation:report-publish", kwargs={"pk": report.pk}),
        {"action": "publish"},
        follow=True,
    )
    assert "Seul un rapport prêt peut être publié." in response.content.decode()
    assert not ImpactReport.objects.get(pk=report.pk).is_published
    download = reverse("evaluation:report-download", kwargs={"pk": report.pk})
    assert client.get(download).status_code == 404


def test_only_the_lab_and_directorates_request_a_portfolio_report(
    client, agent_a, lab_staff, django_capture_on_commit_callbacks
):
    url = reverse("evaluation:portfolio-report-create")
    client.force_login(agent_a)
    assert client.post(url).status_code == 403
    from caflab.network.models import Directorate

    director = UserFactory(
        email="directrice@cnaf.example",
        role=Role.DIRECTORATE,
        caf=None,
        directorate=Directorate.objects.first(),
    )
    client.force_login(director)
    index = client.get(reverse("evaluation:index")).content.decode()
    assert "Générer un rapport du portefeuille" in index
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    report = ImpactReport.objects.get()
    assert response["Location"] == report.get_absolute_url()
    assert report.scope == ImpactReport.Scope.PORTFOLIO
    assert client.get(report.get_absolute_url()).status_code == 200
    assert report.title in client.get(reverse("evaluation:index")).content.decode()
    client.force_login(agent_a)  # unpublished: hidden from agents
    assert client.get(report.get_absolute_url()).status_code == 404
    assert (
        "Générer un rapport du portefeuille"
        not in client.get(reverse("evaluation:index")).content.decode()
    )


def test_the_project_panel_costs_a_fixed_number_of_queries(client, project, team_member):
    client.force_login(team_member)

    def add_reports(n):
        for _ in range(n):
            ready_report(project)

    client.get(project.get_absolute_url())  # warm the page's per-user caches
    # The whole page is flat (other panels share it); the reports part alone costs 2 queries.
    assert_flat_query_count(client, project.get_absolute_url(), add_reports)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.panels import project_counts
    from evaluation.panels import reports as panel

    project_counts(project)  # the panel's counts, read once for all its parts
    with CaptureQueriesContext(connection) as ctx:
        context = panel.context(project, team_member)
    assert len(context["reports"]) == 3
    assert context["can_request"] is True
    assert len(ctx.captured_queries) == 2


def test_the_evaluation_home_costs_a_fixed_number_of_queries(client, lab_staff):
    client.force_login(lab_staff)

    def add_reports(n):
        for _ in range(n):
            ImpactReport.objects.create(
                scope="portfolio", title="Portefeuille", requested_by=lab_staff
            )

    assert_flat_query_count(client, reverse("evaluation:index"), add_reports)


def test_the_report_list_costs_a_fixed_number_of_queries(client, project):
    client.force_login(project.lead)

    def add_reports(n):
        for _ in range(n):
            ready_report(project)

    url = reverse("evaluation:report-list", kwargs={"code": project.code})
    assert_flat_query_count(client, url, add_reports, expected=5)


# --- recommendations and management responses --------------------------------------------------


def test_the_team_adds_a_recommendation_and_the_network_reads_it(client, project, agent_b):
    url = reverse("evaluation:recommendations", kwargs={"code": project.code})
    client.force_login(project.lead)
    client.post(url, {"text": "Associer les partenaires sociaux.", "criterion": "coherence"})
    assert Recommendation.objects.get().position == 1
    client.force_login(agent_b)
    page = client.get(url)
    assert "Associer les partenaires sociaux." in page.content.decode()
    assert "Ajouter une recommandation" not in page.content.decode()
    assert client.post(url, {"text": "Non."}).status_code == 403


def test_the_recommendations_page_costs_a_fixed_number_of_queries(client, project):
    client.force_login(project.lead)

    def add(n):
        from tests.evaluation.factories import ManagementResponseFactory

        for _ in range(n):
            ManagementResponseFactory(recommendation=RecommendationFactory(project=project))

    url = reverse("evaluation:recommendations", kwargs={"code": project.code})
    assert_flat_query_count(client, url, add, expected=5)


def test_accepting_a_recommendation_requires_an_action_and_a_due_date(client, project):
    recommendation = RecommendationFactory(project=project)
    url = reverse("evaluation:response-edit", kwargs={"pk": recommendation.pk})
    client.force_login(project.lead)
    response = client.post(url, {"decision": "accepted", "action": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Une recommandation acceptée appelle une action prévue." in page
    assert "Une recommandation acceptée appelle une échéance." in page
    assert not ManagementResponse.objects.exists()
    client.post(url, {"decision": "rejected"})
    assert ManagementResponse.objects.get().decision == "rejected"
    client.post(
        url,
        {
            "decision": "partly",
            "action": "Une formation",
            "owner": project.lead.pk,
            "due_on": "2026-06-30",
        },
    )
    response = ManagementResponse.objects.get()
    assert response.decision == "partly"
    assert response.due_on == datetime.date(2026, 6, 30)
    assert response.answered_by == project.lead


def test_the_response_page_shows_the_recommendation_rendered_not_its_markdown(client, project):
    """Issue 17: the recommendation is typed in Markdown; the direction reads it as on the
    recommendations page, sanitised, never its source."""
    recommendation = RecommendationFactory(
        project=project,
        text="Former **les agents d’accueil** :\n\n- au rendez-vous\n- au téléphone\n\n"
        "<script>alert(1)</script>",
    )
    client.force_login(project.lead)
    url = reverse("evaluation:response-edit", kwargs={"pk": recommendation.pk})
    page = client.get(url).content.decode()
    assert "<strong>les agents d’accueil</strong>" in page
    assert "<li>au rendez-vous</li>" in page
    assert "**les agents" not in page
    assert "<script>alert(1)" not in page


def test_the_database_refuses_an_accepted_response_without_action(project):
    from django.db import IntegrityError, transaction

    recommendation = RecommendationFactory(project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementResponse.objects.create(recommendation=recommendation, decision="accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementResponse.objects.create(
            recommendation=recommendation, decision="partly", action="Faire"
        )


def test_an_agent_may_not_answer_for_the_direction(client, project, agent_a):
    recommendation = RecommendationFactory(project=project)
    client.force_login(agent_a)
    url = reverse("evaluation:response-edit", kwargs={"pk": recommendation.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "rejected"}).status_code == 403
    assert not ManagementResponse.objects.exists()


def test_a_requested_report_is_not_duplicated_by_a_double_click(
    client, project, django_capture_on_commit_callbacks
):
    client.force_login(project.lead)
    url = reverse("evaluation:report-create", kwargs={"code": project.code})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url)
        client.post(url)
    assert ImpactReport.objects.count() == 1


def test_a_report_is_requested_through_the_service_by_lab_staff_for_any_project(project, lab_staff):
    report = report_request(project=project, by=lab_staff)
    assert report.requested_by == lab_staff
