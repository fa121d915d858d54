"""Programme pages (projects.views.programmes): the index and one page per programme, with its
projects by stage, what was spread where, and the other apps' panels ("programme": the
aggregated ecological assessment and environmental indicators from `evaluation`, the events
from `events`); the cockpit's programme section. Counts follow `Project.objects.visible_to`."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.network.models import Caf, Programme
from evaluation.models import EcologicalRating, Indicator, Measurement
from events.models import Event
from projects.models import Deployment, Project, Stage
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory
from tests.events.factories import EventFactory
from tests.projects.factories import DeploymentFactory, ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

INDEX = reverse("projects:programme-list")
Objective, Rating = EcologicalRating.Objective, EcologicalRating.Rating


def page_url(programme: Programme) -> str:
    return reverse("projects:programme-detail", kwargs={"slug": programme.slug})


@pytest.fixture
def ecological() -> Programme:
    return Programme.objects.get(slug="transition-ecologique")


def rate(project: Project, **by_objective: int) -> None:
    """Seven ratings, neutral unless named (objective=rating, "<objective>_mitigated"=True)."""
    for objective in Objective.values:
        EcologicalRating.objects.create(
            project=project,
            objective=objective,
            rating=by_objective.get(objective, Rating.NEUTRAL),
            justification="Justifié.",
            mitigation="Atténué." if by_objective.get(f"{objective}_mitigated") else "",
        )


@pytest.fixture
def known_set(ecological, agent_b, caf_b):
    """Three projects of the programme the network sees, and a draft of Caf B's agent (seen by
    its team and the lab only), each assessed."""
    positive = ProjectFactory(stage=Stage.EXPERIMENTATION, title="Covoiturage des agents")
    mixed = ProjectFactory(stage=Stage.PROTOTYPE, title="Dossiers sans papier")
    neutral = ProjectFactory(stage=Stage.PROTOTYPE, title="Accueil itinérant")
    private = ProjectFactory(
        stage=Stage.IDEA, is_draft=True, lead=agent_b, pilot_caf=caf_b, title="Brouillon B"
    )
    for project in (positive, mixed, neutral, private):
        project.programmes.add(ecological)
    rate(positive, **dict.fromkeys(Objective.values, Rating.POSITIVE))
    rate(
        mixed,
        climate_mitigation=Rating.POSITIVE,
        water=Rating.NEGATIVE,
        biodiversity=Rating.NEGATIVE,
        biodiversity_mitigated=True,
    )
    rate(neutral)
    rate(private, **dict.fromkeys(Objective.values, Rating.NEGATIVE))
    return {"positive": positive, "mixed": mixed, "neutral": neutral, "private": private}


def chart_rows(response) -> dict[str, tuple]:
    (panel,) = [
        values
        for panel, values in response.context["programme_panels"]
        if panel.name == "evaluation"
    ]
    return {row.label: (row.values, row.note) for row in panel["ecological_chart"].rows}


# --- who sees what ------------------------------------------------------------------------------


def test_citizens_are_refused_and_anonymous_visitors_sent_to_log_in(client, citizen, ecological):
    assert client.get(page_url(ecological)).status_code == 302
    client.force_login(citizen)
    assert client.get(page_url(ecological)).status_code == 403
    assert client.get(INDEX).status_code == 403


def test_an_unknown_programme_is_404(client, agent_a):
    client.force_login(agent_a)
    assert (
        client.get(reverse("projects:programme-detail", kwargs={"slug": "nope"})).status_code == 404
    )


def test_the_index_counts_only_the_projects_the_reader_sees(
    client, agent_a, lab_staff, known_set, ecological
):
    client.force_login(agent_a)
    rows = {row["name"]: row for row in client.get(INDEX).context["rows"]}
    assert rows[ecological.name]["n"] == 3
    assert rows[ecological.name]["n_advanced"] == 1
    assert rows[ecological.name]["url"] == page_url(ecological)
    client.force_login(lab_staff)
    rows = {row["name"]: row for row in client.get(INDEX).context["rows"]}
    assert rows[ecological.name]["n"] == 4


def test_the_page_lists_projects_by_stage_without_caf_b_private_draft(
    client, agent_a, known_set, ecological
):
    client.force_login(agent_a)
    response = client.get(page_url(ecological))
    html = response.content.decode()
    stages = {stage["stage"]: stage for stage in response.context["stages"]}
    assert stages["prototype"]["total"] == 2
    assert stages["experimentation"]["total"] == 1
    assert stages["idea"]["total"] == 0
    assert response.context["n_projects"] == 3
    assert "Covoiturage des agents" in html
    assert "Brouillon B" not in html


# --- the aggregated ecological assessment (evaluation's panel) -----------------------------------


def test_the_assessment_is_aggregated_per_objective_over_the_visible_projects(
    client, agent_a, lab_staff, known_set, ecological
):
    client.force_login(agent_a)
    response = client.get(page_url(ecological))
    rows = chart_rows(response)
    # (favourable, neutral, unfavourable), and the unfavourable ones without mitigation.
    assert rows["Atténuation du changement climatique"] == ((2, 1, 0), "0")
    assert rows["Gestion de la ressource en eau"] == ((1, 1, 1), "1")
    assert rows["Biodiversité"] == ((1, 1, 1), "0")
    assert rows["Cohésion sociale"] == ((1, 2, 0), "0")
    html = response.content.decode()
    assert "3 projets évalués sur 3" in html
    assert "Appréciation des projets sur les sept objectifs (données du graphique)" in html
    # The lab also sees the Caf B draft, unfavourable everywhere.
    client.force_login(lab_staff)
    rows = chart_rows(client.get(page_url(ecological)))
    assert rows["Cohésion sociale"] == ((1, 2, 1), "1")


def test_environmental_indicators_are_rolled_up_with_their_trend(
    client, agent_a, known_set, ecological, caf_a, caf_b
):
    lower = IndicatorFactory(
        project=known_set["positive"],
        name="Kilomètres parcourus par les agents",
        category=Indicator.Category.ENVIRONMENTAL,
        direction=Indicator.Direction.LOWER,
    )
    for period, value in ((datetime.date(2026, 1, 1), 900), (datetime.date(2026, 4, 1), 700)):
        MeasurementFactory(indicator=lower, period=period, value=Decimal(value))
    # Caf values only: the mean of the Caf for each period (10 then (12 + 4) / 2 = 8).
    higher = IndicatorFactory(
        project=known_set["mixed"],
        name="Part de dossiers dématérialisés",
        category=Indicator.Category.ENVIRONMENTAL,
    )
    MeasurementFactory(indicator=higher, caf=caf_a, period=datetime.date(2026, 1, 1), value=10)
    MeasurementFactory(indicator=higher, caf=caf_a, period=datetime.date(2026, 4, 1), value=12)
    MeasurementFactory(indicator=higher, caf=caf_b, period=datetime.date(2026, 4, 1), value=4)
    IndicatorFactory(project=known_set["neutral"], category=Indicator.Category.USERS)
    IndicatorFactory(project=known_set["private"], category=Indicator.Category.ENVIRONMENTAL)
    client.force_login(agent_a)
    response = client.get(page_url(ecological))
    (values,) = [v for p, v in response.context["programme_panels"] if p.name == "evaluation"]
    rows = {row["name"]: row for row in values["indicators"]["rows"]}
    assert set(rows) == {lower.name, higher.name}
    assert (rows[lower.name]["previous"], rows[lower.name]["last"]) == ("900", "700")
    assert rows[lower.name]["trend"] == "improving"
    assert (rows[higher.name]["previous"], rows[higher.name]["last"]) == ("10", "8")
    assert rows[higher.name]["trend"] == "worsening"
    summary = {item["key"]: item["n"] for item in values["indicators"]["summary"]}
    assert summary == {"improving": 1, "worsening": 1, "stable": 0, "unknown": 0}


# --- events (events' panel) and spread ----------------------------------------------------------


def test_the_page_lists_the_programme_events_the_reader_sees(client, agent_a, ecological):
    EventFactory(title="Atelier sobriété numérique", programme=ecological)
    EventFactory(title="Brouillon d'atelier", programme=ecological, status=Event.Status.DRAFT)
    EventFactory(title="Formation sans programme")
    client.force_login(agent_a)
    html = client.get(page_url(ecological)).content.decode()
    assert "Atelier sobriété numérique" in html
    assert "Brouillon d&#x27;atelier" not in html
    assert "Formation sans programme" not in html


def test_the_page_shows_what_was_spread_where(client, agent_a, known_set, ecological, caf_a):
    project = known_set["positive"]
    DeploymentFactory(project=project, caf=caf_a, status=Deployment.Status.RUNNING)
    DeploymentFactory(
        project=project,
        caf=Caf.objects.get(code="01"),
        status=Deployment.Status.DECLINED,
        reason="Pas d'équipe.",
    )
    client.force_login(agent_a)
    response = client.get(page_url(ecological))
    spread = {caf["code"]: caf for caf in response.context["spread"]}
    assert spread["38"]["n_live"] == 1
    assert spread["01"]["n_live"] == 0
    assert spread["01"]["projects"][0]["status"] == "Renoncement"
    assert response.context["n_cafs"] == 2
    assert response.context["n_deployments"] == 1


# --- links from the portfolio -------------------------------------------------------------------


def test_the_list_filtered_by_a_programme_links_to_its_page(client, agent_a, ecological):
    client.force_login(agent_a)
    html = client.get(reverse("projects:index"), {"programme": ecological.slug}).content.decode()
    assert f'href="{page_url(ecological)}"' in html
    unfiltered = client.get(reverse("projects:index")).content.decode()
    assert f'href="{page_url(ecological)}"' not in unfiltered


def test_the_cockpit_has_a_programme_section_by_stage(client, lab_staff, known_set, ecological):
    client.force_login(lab_staff)
    response = client.get(reverse("projects:dashboard"))
    rows = {row["name"]: row for row in response.context["programme_rows"]}
    row = rows[ecological.name]
    assert row["url"] == page_url(ecological)
    assert row["total"] == 4
    # idea, creativity, prototype, experimentation, essaimage, generalised, shelved, abandoned
    assert row["stages"] == [1, 0, 2, 1, 0, 0, 0, 0]
    assert f'<a href="{page_url(ecological)}">{ecological.name}</a>' in response.content.decode()


# --- a fixed number of queries ------------------------------------------------------------------


@pytest.fixture
def add_programme_rows(ecological, caf_a):
    """Adds `n` projects of the programme, each assessed on the seven objectives, with an
    environmental indicator measured twice, a deployment, and an event of the programme."""
    lead = UserFactory(role=Role.AGENT)
    cafs = list(Caf.objects.order_by("position")[:30])
    counter = itertools.count(1)
    stages = [Stage.IDEA, Stage.PROTOTYPE, Stage.EXPERIMENTATION, Stage.ESSAIMAGE]

    def add(n: int) -> None:
        projects = Project.objects.bulk_create(
            Project(
                code=f"INNO-2024-{i:04d}",
                title=f"Projet du programme {i}",
                problem="Un problème.",
                lead=lead,
                pilot_caf=caf_a,
                stage=stages[i % len(stages)],
                is_draft=False,
            )
            for i in (next(counter) for _ in range(n))
        )
        Project.programmes.through.objects.bulk_create(
            Project.programmes.through(project=p, programme=ecological) for p in projects
        )
        EcologicalRating.objects.bulk_create(
            EcologicalRating(
                project=p,
                objective=objective,
                rating=(k + j) % 3 - 1,
                justification="Justifié.",
            )
            for k, p in enumerate(projects)
            for j, objective in enumerate(Objective.values)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                project=p,
                name="Émissions évitées",
                definition="Tonnes de CO2 évitées.",
                unit="t",
                category=Indicator.Category.ENVIRONMENTAL,
            )
            for p in projects
        )
        Measurement.objects.bulk_create(
            Measurement(indicator=i, period=period, value=Decimal(k), source="Relevé")
            for k, i in enumerate(indicators)
            for period in (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
        )
        Deployment.objects.bulk_create(
            Deployment(project=p, caf=cafs[k % len(cafs)]) for k, p in enumerate(projects)
        )
        now = timezone.now()
        Event.objects.bulk_create(
            Event(
                kind=Event.Kind.WORKSHOP,
                title=f"Atelier {p.code}",
                description="Un atelier.",
                programme=ecological,
                place="Paris",
                starts_at=now + datetime.timedelta(days=10),
                ends_at=now + datetime.timedelta(days=10, hours=2),
                seats=10,
                registration_opens_at=now - datetime.timedelta(days=1),
                registration_closes_at=now + datetime.timedelta(days=9),
                status=Event.Status.PUBLISHED,
            )
            for p in projects
        )

    return add


SIZES = (5, 60)


# The page: the programme, the projects by stage (one query, window functions), the spread
# (one); evaluation's panel four (projects assessed, ratings by objective, environmental
# indicators, their measurements), events' one; the rest is the session, the user and the
# portfolio's permission checks.
@pytest.mark.parametrize(("persona", "expected"), [("agent_a", 11), ("lab_staff", 11)])
def test_the_programme_page_costs_a_fixed_number_of_queries(
    client, request, add_programme_rows, ecological, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(
        client, page_url(ecological), add_programme_rows, sizes=SIZES, expected=expected
    )


# The agent pays two more: Django's ModelBackend loads their (empty) permissions once, when the
# sub-navigation asks whether they may add a project or read the cockpit.
@pytest.mark.parametrize(("persona", "expected"), [("agent_a", 6), ("lab_staff", 4)])
def test_the_programme_index_costs_a_fixed_number_of_queries(
    client, request, add_programme_rows, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, INDEX, add_programme_rows, sizes=SIZES, expected=expected)
