"""The director's cockpit (projects:dashboard) and its full list of open blockers and levers
(projects:levers): escalation "à arbitrer par la direction", levers pulled by the direction,
COG commitments against their targets, what moved this month, essaimage, and a fixed number
of queries with every panel full. The panels' own rules: tests/ecoute/test_cockpit_panel.py,
tests/evaluation/test_cockpit_panel.py."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.network.models import Caf, CogAmbition, Directorate
from caflab.notifications.models import Notification
from ecoute.models import Consultation
from evaluation.models import Effect, EvaluationPlan, ImpactReport
from projects import services
from projects.models import (
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateReview,
    Project,
    Stage,
    StageChange,
    TeamMember,
)
from projects.services.dashboard import LEVER_ROWS, portfolio_dashboard
from tests.accounts.factories import UserFactory
from tests.core.test_security import inline_code_in
from tests.projects.factories import (
    BlockerLeverFactory,
    DeploymentFactory,
    GateReviewFactory,
    ProjectFactory,
)
from tests.projects.test_portfolio import SIZES, add_portfolio  # noqa: F401 (a fixture)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

COCKPIT = reverse("projects:dashboard")
LEVERS = reverse("projects:levers")


def escalate_url(lever: BlockerLever) -> str:
    return reverse("projects:lever-escalate", kwargs={"code": lever.project.code, "pk": lever.pk})


def pull_url(lever: BlockerLever) -> str:
    return reverse("projects:lever-pull", kwargs={"code": lever.project.code, "pk": lever.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead, title="Rendez-vous des droits")


@pytest.fixture
def blocker(project):
    return BlockerLeverFactory(project=project, text="Accès aux données de la Caf")


@pytest.fixture
def lever(project):
    return BlockerLeverFactory(
        project=project, kind=BlockerLever.Kind.LEVER, text="Un financement du fonds d’innovation"
    )


# --- who may open the cockpit's list ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("directorate_member", 200),
        ("correspondent_a", 403),
        ("agent_a", 403),
        ("partner", 403),
        ("citizen", 403),
    ],
    indirect=["persona"],
)
def test_the_list_of_open_blockers_is_for_the_lab_and_the_directorates(client, persona, status):
    client.force_login(persona)
    assert client.get(LEVERS).status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(LEVERS)
    assert response.status_code == 302
    assert "connexion" in response.url or "login" in response.url


# --- escalation: "à arbitrer par la direction" ----------------------------------------------


@pytest.mark.parametrize("who", ["lead", "team_member", "lab_staff"])
def test_the_team_and_the_lab_put_a_blocker_to_the_direction(
    client, request, blocker, project, who
):
    if who == "team_member":
        user = UserFactory(role=Role.AGENT)
        TeamMember.objects.create(project=project, user=user)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(escalate_url(blocker))
    assert response.status_code == 302
    assert response.url == f"{project.get_absolute_url()}#freins-leviers"
    blocker.refresh_from_db()
    assert blocker.escalated_on == timezone.localdate()
    assert blocker.escalated_by == user
    assert blocker.status == BlockerLever.Status.OPEN


@pytest.mark.parametrize("persona", ["agent_a", "correspondent_b", "directorate_member"])
def test_others_who_see_the_project_may_not_escalate(client, request, blocker, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(escalate_url(blocker)).status_code == 403
    blocker.refresh_from_db()
    assert blocker.escalated_on is None


def test_a_blocker_of_a_draft_the_user_does_not_see_is_404(client, agent_b, directorate_member):
    draft = ProjectFactory(is_draft=True)
    hidden = BlockerLeverFactory(project=draft)
    for user in (agent_b, directorate_member):
        client.force_login(user)
        assert client.post(escalate_url(hidden)).status_code == 404
        assert client.post(pull_url(hidden)).status_code == 404


def test_a_blocker_of_another_project_is_404(client, lab_staff, blocker):
    other = ProjectFactory()
    client.force_login(lab_staff)
    url = reverse("projects:lever-escalate", kwargs={"code": other.code, "pk": blocker.pk})
    assert client.post(url).status_code == 404


def test_escalating_is_a_post(client, lead, blocker):
    client.force_login(lead)
    assert client.get(escalate_url(blocker)).status_code == 405
    assert client.get(pull_url(blocker)).status_code == 405


def test_escalating_twice_says_already_done_and_keeps_the_first(client, lead, lab_staff, blocker):
    client.force_login(lead)
    client.post(escalate_url(blocker))
    client.force_login(lab_staff)
    response = client.post(escalate_url(blocker))
    assert response.status_code == 302
    assert any("déjà soumis" in m for m in messages_of(response))
    blocker.refresh_from_db()
    assert blocker.escalated_by == lead


def test_a_stale_escalation_ends_in_already_done(lead, lab_staff, blocker):
    """Two people on the same page: the second works from a copy read before the first
    acted; the row's lock and second read make it "already done"."""
    stale = BlockerLever.objects.get(pk=blocker.pk)
    services.lever_escalate(lever=blocker, by=lead)
    with pytest.raises(services.AlreadyDone):
        services.lever_escalate(lever=stale, by=lab_staff)


def test_a_lifted_blocker_cannot_be_escalated(lead, blocker):
    services.lever_lift(lever=blocker, by=lead)
    with pytest.raises(services.AlreadyDone):
        services.lever_escalate(lever=blocker, by=lead)


def test_escalating_tells_the_lab_and_the_sponsor_directorate_not_other_directorates(
    lead, lab_staff, directorate_member, project, blocker
):
    """The direction hears of what waits for its arbitration, with a link to the escalated
    list; a directorate that does not sponsor the project is not bothered."""
    other = UserFactory(
        email="autre.direction@cnaf.example",
        role=Role.DIRECTORATE,
        caf=None,
        directorate=Directorate.objects.exclude(pk=directorate_member.directorate_id).first(),
    )
    project.sponsor = directorate_member.directorate
    project.save(update_fields=["sponsor"])
    services.lever_escalate(lever=blocker, by=lead)
    told = Notification.objects.filter(kind="project.lever_escalated")
    assert set(told.values_list("recipient", flat=True)) == {lab_staff.pk, directorate_member.pk}
    assert other.pk not in told.values_list("recipient", flat=True)
    note = told.get(recipient=lab_staff)
    assert project.code in note.title
    assert note.url == f"{LEVERS}?escalated=oui"
    assert note.body == "Accès aux données de la Caf"


def test_escalating_a_project_without_sponsor_tells_the_lab_only(
    lead, lab_staff, directorate_member, blocker
):
    services.lever_escalate(lever=blocker, by=lead)
    recipients = Notification.objects.filter(kind="project.lever_escalated").values_list(
        "recipient", flat=True
    )
    assert list(recipients) == [lab_staff.pk]


def test_the_people_who_raised_a_blocker_hear_that_the_direction_arbitrated_it(
    lead, lab_staff, directorate_member, project, blocker
):
    colleague = UserFactory(email="collegue@caf38.example", role=Role.AGENT, caf=lead.caf)
    blocker.owner = colleague
    blocker.save(update_fields=["owner"])
    services.lever_escalate(lever=blocker, by=lead)
    services.lever_pull(lever=blocker, by=directorate_member)
    told = Notification.objects.filter(kind="project.lever_pulled")
    assert set(told.values_list("recipient", flat=True)) == {lead.pk, colleague.pk}
    assert all(n.url == project.get_absolute_url() for n in told)


# --- the direction pulls a lever or arbitrates a blocker --------------------------------------


@pytest.mark.parametrize("persona", ["directorate_member", "lab_staff"])
def test_the_direction_pulls_a_lever_and_it_is_recorded_with_its_date(
    client, request, lever, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(pull_url(lever))
    assert response.status_code == 302
    lever.refresh_from_db()
    assert lever.status == BlockerLever.Status.LIFTED
    assert lever.pulled_on == lever.lifted_on == timezone.localdate()
    assert lever.pulled_by == user


@pytest.mark.parametrize("persona", ["lead", "agent_a", "correspondent_a"])
def test_the_team_and_the_network_may_not_pull_for_the_direction(client, request, lever, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(pull_url(lever)).status_code == 403
    lever.refresh_from_db()
    assert lever.pulled_on is None
    assert lever.status == BlockerLever.Status.OPEN


def test_two_directors_pulling_at_once_end_in_already_done_not_an_error(
    client, lab_staff, directorate_member, lever
):
    stale = BlockerLever.objects.get(pk=lever.pk)
    services.lever_pull(lever=lever, by=directorate_member)
    with pytest.raises(services.AlreadyDone):
        services.lever_pull(lever=stale, by=lab_staff)
    client.force_login(lab_staff)
    response = client.post(pull_url(lever))
    assert response.status_code == 302
    assert any("déjà levé" in m for m in messages_of(response))
    lever.refresh_from_db()
    assert lever.pulled_by == directorate_member


def test_after_pulling_from_the_list_the_director_comes_back_to_it(
    client, directorate_member, lever
):
    client.force_login(directorate_member)
    back = f"{LEVERS}?kind=lever"
    response = client.post(pull_url(lever), {"next": back})
    assert response.url == back


def test_a_next_address_off_the_site_is_ignored(client, directorate_member, lever):
    client.force_login(directorate_member)
    response = client.post(pull_url(lever), {"next": "https://evil.example/"})
    assert response.url == f"{lever.project.get_absolute_url()}#freins-leviers"


# --- the project page: where blockers are handled --------------------------------------------


def test_the_project_page_shows_the_escalation_and_the_buttons_of_each_role(
    client, lead, directorate_member, blocker, lever
):
    services.lever_escalate(lever=blocker, by=lead)
    client.force_login(lead)
    html = client.get(blocker.project.get_absolute_url()).content.decode()
    assert "À arbitrer par la direction" in html
    assert escalate_url(lever) in html  # the lever is not escalated yet
    assert escalate_url(blocker) not in html  # already escalated
    assert pull_url(lever) not in html  # the lead does not pull for the direction
    client.force_login(directorate_member)
    html = client.get(blocker.project.get_absolute_url()).content.decode()
    form = html[html.index(f'action="{pull_url(lever)}"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    assert pull_url(lever) in html
    assert pull_url(blocker) in html
    assert "Arbitrer et lever" in html
    assert escalate_url(lever) not in html


def test_the_project_page_tells_who_pulled_a_lever_and_when(
    client, lead, directorate_member, lever
):
    services.lever_pull(lever=lever, by=directorate_member)
    client.force_login(lead)
    html = client.get(lever.project.get_absolute_url()).content.decode()
    assert "Actionné par la direction" in html
    assert str(directorate_member) in html
    assert pull_url(lever) not in html


# --- the cockpit -----------------------------------------------------------------------------


def test_the_cockpit_lists_every_open_one_escalated_first_then_the_oldest(lab_staff):
    today = timezone.localdate()
    project = ProjectFactory()
    old = BlockerLeverFactory(project=project, text="Vieux frein")
    BlockerLever.objects.filter(pk=old.pk).update(opened_on=today - datetime.timedelta(days=200))
    BlockerLeverFactory(project=project, kind=BlockerLever.Kind.LEVER, text="Levier récent")
    escalated = BlockerLeverFactory(project=project, text="Frein à arbitrer")
    services.lever_escalate(lever=escalated, by=lab_staff)
    BlockerLeverFactory(project=project, text="Levé", status=BlockerLever.Status.LIFTED)

    dashboard = portfolio_dashboard(projects=Project.objects.all(), today=today)

    assert [row["text"] for row in dashboard.blocker_rows] == [
        "Frein à arbitrer",
        "Vieux frein",
        "Levier récent",
    ]
    assert dashboard.escalated == 1
    assert dashboard.blocker_rows[1]["age"] == 200
    by_age = {row.label: row.value for row in dashboard.age_chart.rows}
    assert by_age == {
        "moins de 30 jours": 2,
        "30 à 89 jours": 0,
        "90 à 179 jours": 0,
        "6 mois et plus": 1,
    }


def test_the_cockpit_caps_its_rows_and_links_to_all_of_them(client, lab_staff):
    project = ProjectFactory()
    BlockerLever.objects.bulk_create(
        BlockerLever(project=project, kind="blocker", text=f"Frein {i}") for i in range(20)
    )
    client.force_login(lab_staff)
    response = client.get(COCKPIT)
    assert len(response.context["blocker_rows"]) == LEVER_ROWS
    html = response.content.decode()
    assert f'href="{LEVERS}"' in html
    assert "Voir tout (20 freins et leviers ouverts)" in html
    assert f'href="{LEVERS}?escalated=oui"' in html
    assert f'href="{LEVERS}?age=lt30"' in html
    assert inline_code_in(html) == []


def test_the_full_list_filters_by_kind_escalation_age_and_project(client, lab_staff):
    today = timezone.localdate()
    a, b = ProjectFactory(), ProjectFactory()
    old = BlockerLeverFactory(project=a, text="Ancien")
    BlockerLever.objects.filter(pk=old.pk).update(opened_on=today - datetime.timedelta(days=100))
    escalated = BlockerLeverFactory(project=b, text="Soumis")
    services.lever_escalate(lever=escalated, by=lab_staff)
    BlockerLeverFactory(project=b, kind=BlockerLever.Kind.LEVER, text="Levier")
    BlockerLeverFactory(project=b, text="Levé", status=BlockerLever.Status.LIFTED)
    client.force_login(lab_staff)

    def texts(**params) -> list[str]:
        return [lever.text for lever in client.get(LEVERS, params).context["levers"]]

    assert texts() == ["Soumis", "Ancien", "Levier"]
    assert texts(kind="lever") == ["Levier"]
    assert texts(escalated="oui") == ["Soumis"]
    assert texts(escalated="non") == ["Ancien", "Levier"]
    assert texts(age="90-180") == ["Ancien"]
    assert texts(project=b.code) == ["Soumis", "Levier"]


def test_the_full_list_hides_the_blockers_of_drafts_from_the_directorates(
    client, directorate_member
):
    BlockerLeverFactory(project=ProjectFactory(is_draft=True), text="Brouillon")
    BlockerLeverFactory(project=ProjectFactory(), text="Visible")
    client.force_login(directorate_member)
    response = client.get(LEVERS)
    assert [lever.text for lever in response.context["levers"]] == ["Visible"]
    html = response.content.decode()
    assert "Brouillon" not in html
    assert "Actionner le levier" not in html  # a blocker: arbitrated, not pulled
    assert "Arbitrer et lever" in html
    form = html[html.index("/actionner/") :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_the_full_list_is_paginated(client, lab_staff):
    project = ProjectFactory()
    BlockerLever.objects.bulk_create(
        BlockerLever(project=project, kind="blocker", text=f"Frein {i}") for i in range(30)
    )
    client.force_login(lab_staff)
    response = client.get(LEVERS)
    assert len(response.context["levers"]) == 25
    assert len(client.get(LEVERS, {"page": 2}).context["levers"]) == 5


# --- portfolio: what moved and what was decided this month -----------------------------------


def test_the_cockpit_counts_the_moves_and_decisions_of_the_month_and_links_to_them(
    client, lab_staff
):
    now = timezone.now()
    moved = ProjectFactory(stage=Stage.PROTOTYPE, stage_changed_at=now)
    StageChange.objects.create(project=moved, from_stage="creativity", to_stage="prototype")
    still = ProjectFactory(stage_changed_at=now - datetime.timedelta(days=70))
    StageChange.objects.create(
        project=still, to_stage="idea", changed_at=now - datetime.timedelta(days=70)
    )
    decided = GateReviewFactory(project=moved)
    GateReview.objects.filter(pk=decided.pk).update(
        status=GateReview.Status.DECIDED, decision="go", rationale="Prêt.", decided_at=now
    )
    client.force_login(lab_staff)
    response = client.get(COCKPIT)
    figures, urls = response.context["figures"], response.context["urls"]
    assert (figures["moves"], figures["moved_projects"], figures["decisions"]) == (1, 1, 1)
    month = timezone.localdate().replace(day=1).isoformat()
    assert urls["moves"].endswith(f"?moved_since={month}")
    assert [row["decision"] for row in response.context["decision_rows"]] == ["Go"]
    # The lists behind the figures show the same projects.
    listed = client.get(urls["moves"]).context["projects"]
    assert [p.code for p in listed] == [moved.code]
    listed = client.get(urls["decisions"]).context["projects"]
    assert [p.code for p in listed] == [moved.code]


# --- COG commitments ---------------------------------------------------------------------------


def test_a_cog_commitment_shows_its_target_and_the_projects_that_reached_real_life(
    client, lab_staff
):
    ambition = CogAmbition.objects.order_by("axis__number", "number").first()
    ambition.target = 4
    ambition.save()
    for stage in (Stage.IDEA, Stage.EXPERIMENTATION, Stage.GENERALISED):
        ProjectFactory(stage=stage).cog_ambitions.add(ambition)
    client.force_login(lab_staff)
    chart = client.get(COCKPIT).context["ambition_chart"]
    row = next(row for row in chart.rows if row.label == str(ambition))
    assert row.value == 2
    assert row.note == "cible\u00a0: 4 (50 %)\u00a0; rattachés\u00a0: 3"
    listed = client.get(row.url).context["projects"]
    assert {p.stage for p in listed} == {Stage.EXPERIMENTATION, Stage.GENERALISED}


# --- essaimage -------------------------------------------------------------------------------


def test_the_cockpit_counts_the_caf_reached_the_adoption_curve_and_the_budget(
    client, lab_staff, caf_a, caf_b
):
    now = timezone.now()
    project = ProjectFactory(
        stage=Stage.ESSAIMAGE, budget_planned=Decimal("10000"), budget_spent=Decimal("2500")
    )
    running = DeploymentFactory(project=project, caf=caf_a, status=Deployment.Status.RUNNING)
    DeploymentChange.objects.create(deployment=running, to_status="running", changed_at=now)
    DeploymentFactory(caf=caf_a)
    DeploymentFactory(caf=caf_b)
    DeploymentFactory(
        caf=Caf.objects.get(code="13"), status=Deployment.Status.DECLINED, reason="Pas de moyens"
    )
    client.force_login(lab_staff)
    response = client.get(COCKPIT)
    figures = response.context["figures"]
    assert figures["caf_reached"] == 2
    assert figures["budget_planned"] == "10\u202f000 €"
    assert figures["budget_spent"] == "2\u202f500 €"
    assert figures["budget_rate"] == 25
    curve = response.context["adoption_chart"]
    assert len(curve.rows) == 12
    assert curve.rows[-1].value == "1"
    assert all(row.value == "0" for row in curve.rows[:-1])
    html = response.content.decode()
    assert f'href="{reverse("projects:map")}"' in html


def test_the_cockpit_is_printable(client, lab_staff):
    client.force_login(lab_staff)
    html = client.get(COCKPIT).content.decode()
    assert "css/projects.css" in html
    from django.contrib.staticfiles import finders

    with open(finders.find("css/projects.css"), encoding="utf-8") as css:
        assert "@media print" in css.read()


# --- a fixed number of queries, every panel full ------------------------------------------------


@pytest.fixture
def add_cockpit_rows(add_portfolio, lab_staff):  # noqa: F811 (the fixture imported above)
    """The portfolio's rows (add_portfolio) plus what every panel of the cockpit lists: an
    escalated blocker, a decided gate review, a started deployment, a restitution overdue, a
    severe effect, an evaluation plan and a published report per project."""
    counter = itertools.count(1)
    now = timezone.now()

    def add(n: int) -> None:
        before = set(Project.objects.values_list("pk", flat=True))
        add_portfolio(n)
        projects = list(Project.objects.exclude(pk__in=before))
        BlockerLever.objects.filter(project__in=projects, kind="blocker").update(
            escalated_on=timezone.localdate(), escalated_by=lab_staff
        )
        for project in projects:
            GateReview.objects.create(
                project=project,
                from_stage=project.stage,
                to_stage=Stage.GENERALISED,
                requested_by=lab_staff,
                motivation="Prêt.",
                status=GateReview.Status.DECIDED,
                decision="go",
                rationale="Prêt.",
                decided_at=now,
            )
        DeploymentChange.objects.bulk_create(
            DeploymentChange(deployment=d, to_status="running", changed_at=now)
            for d in Deployment.objects.filter(project__in=projects)
        )
        Effect.objects.bulk_create(
            Effect(
                project=p,
                description="Des familles perdent un droit.",
                affected="Familles",
                severity=Effect.Severity.SEVERE,
                likelihood=Effect.Likelihood.LIKELY,
            )
            for p in projects
        )
        EvaluationPlan.objects.bulk_create(EvaluationPlan(project=p) for p in projects)
        ImpactReport.objects.bulk_create(
            ImpactReport(
                project=p,
                title="Rapport",
                requested_by=lab_staff,
                status=ImpactReport.Status.READY,
                is_published=True,
            )
            for p in projects
        )
        for _ in range(max(1, n // 10)):
            i = next(counter)
            Consultation.objects.create(
                title=f"Consultation close {i}",
                slug=f"consultation-close-{i}",
                summary="Votre avis.",
                status=Consultation.Status.CLOSED,
                opens_at=now - datetime.timedelta(days=100),
                closes_at=now - datetime.timedelta(days=60),
                privacy_purpose="Améliorer.",
                privacy_contact="dpo@caf.example",
                owner=lab_staff,
            )

    return add


# The lab: the session and the user (2), the cockpit's twelve, the panels: ideas by origin 1,
# restitutions 2 (the counts, the rows), evaluation 3 (effects, plans, reports), and the
# header's unread notifications. The directorate member pays two more (their permissions,
# loaded once).
@pytest.mark.parametrize(("persona", "expected"), [("lab_staff", 21), ("directorate_member", 23)])
def test_the_cockpit_costs_a_fixed_number_of_queries_with_every_panel_full(
    client, request, add_cockpit_rows, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, COCKPIT, add_cockpit_rows, sizes=SIZES, expected=expected)


# The session and the user, the count, the 25 rows (with their project, owner and who
# escalated, and whether the reader is in the project's team, in SQL), the header's unread
# notifications.
@pytest.mark.parametrize(("persona", "expected"), [("lab_staff", 5), ("directorate_member", 5)])
def test_the_full_list_costs_a_fixed_number_of_queries(
    client, request, add_cockpit_rows, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, LEVERS, add_cockpit_rows, sizes=SIZES, expected=expected)
