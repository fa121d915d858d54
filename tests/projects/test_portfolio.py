"""The portfolio views: list, kanban, funnel, director's dashboard and exports, per persona."""

import csv
import datetime
import io
import itertools
import re

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caflab.accounts.models import Role
from caflab.core.tabular import safe_cell
from caflab.network.models import Caf, CogAmbition, Directorate, Programme, Theme
from projects.models import (
    PIPELINE,
    BlockerLever,
    Deployment,
    GateReview,
    Health,
    Project,
    Stage,
    StageChange,
    TeamMember,
    Track,
)
from projects.views.portfolio import KANBAN_CARDS
from tests.accounts.factories import UserFactory
from tests.core.test_security import inline_code_in
from tests.projects.factories import (
    BlockerLeverFactory,
    DeploymentFactory,
    GateReviewFactory,
    ProjectFactory,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

LIST = reverse("projects:index")
KANBAN = reverse("projects:kanban")
FUNNEL = reverse("projects:funnel")
DASHBOARD = reverse("projects:dashboard")
CSV = reverse("projects:export", kwargs={"fmt": "csv"})
XLSX = reverse("projects:export", kwargs={"fmt": "xlsx"})


def get_as(client, user, url: str, data=None):
    if user is not None:
        client.force_login(user)
    return client.get(url, data or {})


def codes_in(response) -> set[str]:
    return {p.code for p in response.context["projects"]}


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def stage_history(project: Project, *moves: tuple[str, datetime.datetime], **fields) -> None:
    """Write `project`'s stage history: (stage entered, when), the last one being current;
    `fields` are saved with the final stage (the lesson learned of an abandoned project)."""
    previous = ""
    for stage, when in moves:
        StageChange.objects.create(
            project=project, from_stage=previous, to_stage=stage, changed_at=when
        )
        previous = stage
    Project.objects.filter(pk=project.pk).update(
        stage=previous, stage_changed_at=moves[-1][1], **fields
    )


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, KANBAN, FUNNEL, CSV, XLSX])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 403),
    ],
    indirect=["persona"],
)
def test_portfolio_pages_answer_network_members_and_refuse_citizens(client, persona, status, url):
    assert get_as(client, persona, url).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 403),
        ("agent_a", 403),
        ("agent_b", 403),
        ("citizen", 403),
    ],
    indirect=["persona"],
)
def test_dashboard_is_for_lab_staff_and_directorates_only(client, persona, status):
    assert get_as(client, persona, DASHBOARD).status_code == status


def test_directorate_member_opens_the_dashboard_and_the_list(client, directorate_member):
    assert get_as(client, directorate_member, DASHBOARD).status_code == 200
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("url", [LIST, KANBAN, FUNNEL, DASHBOARD, CSV, XLSX])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_export_in_an_unknown_format_is_a_404(client, lab_staff):
    url = reverse("projects:export", kwargs={"fmt": "pdf"})
    assert get_as(client, lab_staff, url).status_code == 404


def test_draft_of_another_team_is_absent_from_agent_b_list_kanban_and_export(
    client, agent_a, agent_b, lab_staff
):
    published = ProjectFactory(title="Projet publié")
    draft = ProjectFactory(title="Brouillon confidentiel", is_draft=True)
    TeamMember.objects.create(project=draft, user=agent_a)

    client.force_login(agent_b)
    assert codes_in(client.get(LIST)) == {published.code}
    kanban = client.get(KANBAN).content.decode()
    assert escape(published.title) in kanban
    assert escape(draft.title) not in kanban
    exported = [row[0] for row in csv_rows(client.get(CSV))[1:]]
    assert exported == [published.code]

    # Its lead's name does not leak through the "Porteur" filter's suggestions either.
    def suggested(lead) -> list[str]:
        url = reverse("core:typeahead", kwargs={"source": "porteurs"})
        return [r["value"] for r in client.get(url, {"q": lead.email}).json()["results"]]

    assert suggested(published.lead) == [published.lead.email]
    assert suggested(draft.lead) == []

    for member in (agent_a, lab_staff):
        client.force_login(member)
        assert codes_in(client.get(LIST)) == {published.code, draft.code}


# --- list: filters, search, sort, pages -------------------------------------------------------


def _filter_cases():
    """(GET parameters, fields of the matching project) for each filter."""
    return [
        ({"stage": "prototype"}, {"stage": Stage.PROTOTYPE}),
        ({"health": "red"}, {"health": Health.RED}),
        ({"track": "local_incubator"}, {"track": Track.LOCAL_INCUBATOR}),
    ]


@pytest.mark.parametrize(("params", "fields"), _filter_cases())
def test_each_field_filter_narrows_the_list(client, agent_a, params, fields):
    match = ProjectFactory(**fields)
    ProjectFactory()
    assert codes_in(get_as(client, agent_a, LIST, params)) == {match.code}


def test_theme_and_programme_filters_narrow_the_list(client, agent_a):
    theme, programme = Theme.objects.first(), Programme.objects.first()
    themed, in_programme = ProjectFactory(), ProjectFactory()
    ProjectFactory()
    themed.themes.add(theme)
    in_programme.programmes.add(programme)
    client.force_login(agent_a)
    assert codes_in(client.get(LIST, {"theme": theme.slug})) == {themed.code}
    assert codes_in(client.get(LIST, {"programme": programme.slug})) == {in_programme.code}


def test_lead_and_sponsor_filters_narrow_the_list(client, agent_a, correspondent_a):
    sponsor = Directorate.objects.first()
    led = ProjectFactory(lead=correspondent_a)
    sponsored = ProjectFactory(sponsor=sponsor)
    client.force_login(agent_a)
    assert codes_in(client.get(LIST, {"lead": correspondent_a.pk})) == {led.code}
    assert codes_in(client.get(LIST, {"sponsor": sponsor.acronym})) == {sponsored.code}


def test_caf_filter_finds_pilot_and_deploying_projects_once_each(client, agent_a, caf_a, caf_b):
    piloted = ProjectFactory(pilot_caf=caf_b)
    deployed = ProjectFactory(pilot_caf=caf_a)
    DeploymentFactory(project=deployed, caf=caf_b)
    # Piloted there and deployed in two other Caf: listed once, not once per deployment.
    DeploymentFactory(project=piloted, caf=Caf.objects.get(code="01"))
    DeploymentFactory(project=piloted, caf=Caf.objects.get(code="13"))
    ProjectFactory(pilot_caf=caf_a)
    response = get_as(client, agent_a, LIST, {"caf": "69"})
    assert [p.code for p in response.context["projects"]].count(piloted.code) == 1
    assert codes_in(response) == {piloted.code, deployed.code}


def test_search_finds_projects_by_title_words(client, agent_a):
    wanted = ProjectFactory(title="Covoiturage solidaire vers les accueils de la Caf")
    ProjectFactory(title="Simulateur de droits pour les étudiants")
    response = get_as(client, agent_a, LIST, {"q": "covoiturage accueils"})
    assert codes_in(response) == {wanted.code}
    assert wanted.title in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming is PostgreSQL's")
def test_search_on_postgresql_is_french_full_text_ranked_by_relevance(client, agent_a):
    single = ProjectFactory(title="Accompagner la famille monoparentale", problem="Isolement.")
    twice = ProjectFactory(
        title="Garde d'enfants pour familles monoparentales",
        problem="Les parents monoparentaux manquent de solutions de garde monoparentale.",
    )
    ProjectFactory(title="Simulateur de droits", problem="Non-recours.")
    response = get_as(client, agent_a, LIST, {"q": "familles monoparentales"})
    assert [p.code for p in response.context["projects"]] == [twice.code, single.code]
    excluded = get_as(client, agent_a, LIST, {"q": "monoparentale -garde"})
    assert codes_in(excluded) == {single.code}


def test_search_with_no_match_shows_an_empty_state(client, agent_a):
    ProjectFactory()
    response = get_as(client, agent_a, LIST, {"q": "introuvable"})
    assert codes_in(response) == set()
    assert "Aucun projet ne correspond à ces critères." in response.content.decode()


def test_empty_portfolio_says_so(client, agent_a):
    html = get_as(client, agent_a, LIST).content.decode()
    assert "Aucun projet dans le portefeuille pour l’instant." in html


def test_list_sorts_by_title_both_ways_and_marks_the_sorted_column(client, agent_a):
    for title in ("Bravo", "Alpha", "Charlie"):
        ProjectFactory(title=title)
    client.force_login(agent_a)
    response = client.get(LIST, {"tri": "title"})
    assert [p.title for p in response.context["projects"]] == ["Alpha", "Bravo", "Charlie"]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "tri=-title" in html  # the header link now reverses the order
    response = client.get(LIST, {"tri": "-title"})
    assert [p.title for p in response.context["projects"]] == ["Charlie", "Bravo", "Alpha"]


def test_list_sorts_stages_in_pipeline_order(client, agent_a):
    for stage in (Stage.ESSAIMAGE, Stage.IDEA, Stage.PROTOTYPE):
        ProjectFactory(stage=stage)
    response = get_as(client, agent_a, LIST, {"tri": "stage"})
    assert [p.stage for p in response.context["projects"]] == ["idea", "prototype", "essaimage"]


def test_list_rows_show_code_title_stage_health_lead_caf_and_programmes(client, agent_a):
    project = ProjectFactory(stage=Stage.PROTOTYPE, health=Health.AMBER)
    project.programmes.add(Programme.objects.first())
    html = get_as(client, agent_a, LIST).content.decode()
    for text in (
        project.code,
        f'href="{reverse("projects:detail", kwargs={"code": project.code})}"',
        "Prototype",
        "À surveiller",  # health in words, next to its shape
        str(project.lead),
        escape(project.pilot_caf.name),
        Programme.objects.first().name,
    ):
        assert text in html, text


def test_list_is_paginated_by_25_and_keeps_the_filters_in_page_links(client, agent_a):
    ProjectFactory.create_batch(27, stage=Stage.IDEA)
    client.force_login(agent_a)
    response = client.get(LIST, {"stage": "idea"})
    assert len(response.context["projects"]) == 25
    assert "?stage=idea&amp;page=2" in response.content.decode()
    assert len(client.get(LIST, {"stage": "idea", "page": 2}).context["projects"]) == 2


def test_list_form_fields_are_labelled_and_the_page_has_no_inline_code(client, agent_a):
    ProjectFactory()
    html = get_as(client, agent_a, LIST).content.decode()
    for name in ("q", "stage", "theme", "programme", "track", "caf", "health", "lead", "sponsor"):
        assert f'for="id_{name}"' in html, name
    assert html.count("<h1") == 1
    assert inline_code_in(html) == []
    assert "<caption" in html


# --- kanban -----------------------------------------------------------------------------------


def test_kanban_has_a_column_per_pipeline_stage_with_counts(client, agent_a):
    ProjectFactory.create_batch(2, stage=Stage.PROTOTYPE)
    ProjectFactory(stage=Stage.SHELVED, revisit_on=timezone.localdate())
    response = get_as(client, agent_a, KANBAN)
    columns = {c["stage"]: len(c["projects"]) for c in response.context["columns"]}
    assert list(columns) == list(PIPELINE)
    assert columns["prototype"] == 2
    html = response.content.decode()
    assert 'aria-labelledby="colonne-prototype"' in html
    assert "2 projets" in html
    assert inline_code_in(html) == []


def test_a_kanban_column_of_50_projects_shows_the_latest_and_links_to_the_others(client, agent_a):
    projects = ProjectFactory.create_batch(50, stage=Stage.PROTOTYPE)
    ProjectFactory.create_batch(2, stage=Stage.IDEA)
    start = timezone.now() - datetime.timedelta(days=1)
    for k, project in enumerate(projects):  # the last one created is the latest changed
        Project.objects.filter(pk=project.pk).update(
            updated_at=start + datetime.timedelta(minutes=k)
        )
    response = get_as(client, agent_a, KANBAN)
    column = next(c for c in response.context["columns"] if c["stage"] == "prototype")
    assert [p.pk for p in column["projects"]] == [p.pk for p in reversed(projects)][:KANBAN_CARDS]
    assert column["total"] == 50
    html = response.content.decode()
    assert "50 projets" in html
    link = f'href="{LIST}?stage=prototype"'
    assert link in html
    assert f"Voir les {50 - KANBAN_CARDS} autres projets" in html
    assert "Voir les" not in html.split('data-stage="idea"')[1].split("</section>")[0]
    assert get_as(client, agent_a, f"{LIST}?stage=prototype").context["paginator"].count == 50


def test_kanban_shows_side_stages_when_asked_and_remembers_it(client, agent_a):
    shelved = ProjectFactory(stage=Stage.SHELVED, revisit_on=timezone.localdate())
    client.force_login(agent_a)
    response = client.get(KANBAN, {"shown": "1", "tout": "on", "champs": ["lead"]})
    assert [c["stage"] for c in response.context["columns"]][-2:] == ["shelved", "abandoned"]
    assert escape(shelved.title) in response.content.decode()
    assert [c["stage"] for c in client.get(KANBAN).context["columns"]][-1] == "abandoned"


def test_kanban_cards_show_the_fields_the_user_chose_and_remember_them(client, agent_a):
    project = ProjectFactory(health=Health.RED)
    project.programmes.add(Programme.objects.first())
    client.force_login(agent_a)

    html = client.get(KANBAN).content.decode()  # by default, all four
    for text in ("En difficulté", str(project.lead), "Isère", Programme.objects.first().name):
        assert text in html

    html = client.get(KANBAN, {"shown": "1", "champs": ["health"]}).content.decode()
    assert "En difficulté" in html
    assert str(project.lead) not in html
    assert Programme.objects.first().name not in html

    html = client.get(KANBAN).content.decode()  # remembered in the session
    assert "En difficulté" in html
    assert str(project.lead) not in html

    html = client.get(KANBAN, {"shown": "1"}).content.decode()  # every box unticked
    assert "En difficulté" not in html


def test_kanban_form_boxes_are_labelled(client, agent_a):
    html = get_as(client, agent_a, KANBAN).content.decode()
    assert "Champs affichés" in html
    for i in range(4):
        assert f'for="id_champs_{i}"' in html
    assert 'for="id_tout"' in html


def gate_link(project: Project) -> str:
    return f'href="{reverse("projects:gate-request", kwargs={"code": project.code})}"'


def test_gate_request_link_shows_only_to_lead_team_and_lab(
    client, lab_staff, agent_a, agent_b, correspondent_a
):
    led = ProjectFactory(lead=agent_b, stage=Stage.PROTOTYPE)
    in_team = ProjectFactory(stage=Stage.IDEA)
    TeamMember.objects.create(project=in_team, user=agent_b)
    other = ProjectFactory(stage=Stage.IDEA)

    html = get_as(client, agent_b, KANBAN).content.decode()
    assert gate_link(led) in html
    assert "Demander le passage à «\u00a0Expérimentation\u00a0»" in html
    assert gate_link(in_team) in html
    assert gate_link(other) not in html

    for user in (agent_a, correspondent_a):
        html = get_as(client, user, KANBAN).content.decode()
        assert not any(gate_link(p) in html for p in (led, in_team, other))

    html = get_as(client, lab_staff, KANBAN).content.decode()
    assert all(gate_link(p) in html for p in (led, in_team, other))


def test_kanban_card_links_to_the_open_review_instead_of_a_second_request(client, lab_staff):
    review = GateReviewFactory(project=ProjectFactory(stage=Stage.IDEA))
    html = get_as(client, lab_staff, KANBAN).content.decode()
    assert gate_link(review.project) not in html
    url = reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk})
    assert f'href="{url}"' in html


def test_generalised_projects_offer_no_gate_request(client, lab_staff):
    project = ProjectFactory(stage=Stage.GENERALISED)
    html = get_as(client, lab_staff, KANBAN).content.decode()
    assert escape(project.title) in html
    assert gate_link(project) not in html


def test_drag_and_drop_is_a_script_file_over_the_same_link(client, lab_staff):
    project = ProjectFactory(stage=Stage.IDEA)
    html = get_as(client, lab_staff, KANBAN).content.decode()
    assert 'src="/static/js/projects-kanban.js"' in html
    assert (
        f'data-gate-url="{reverse("projects:gate-request", kwargs={"code": project.code})}"' in html
    )
    assert 'data-next-stage="creativity"' in html


# --- funnel -----------------------------------------------------------------------------------


def test_funnel_counts_conversion_and_median_time_on_a_known_history(client, agent_a):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    start = now - 60 * day
    fast, slow, waiting = ProjectFactory.create_batch(3)
    # fast: 10 days in idea, 10 in creativity, in prototype since 40 days.
    stage_history(
        fast, ("idea", start), ("creativity", start + 10 * day), ("prototype", start + 20 * day)
    )
    # slow: 4 days in idea, 26 in creativity, in prototype since 30 days.
    stage_history(
        slow, ("idea", start), ("creativity", start + 4 * day), ("prototype", start + 30 * day)
    )
    # waiting: in idea since 6 days.
    stage_history(waiting, ("idea", now - 6 * day))

    response = get_as(client, agent_a, FUNNEL)
    rows = {row["stage"]: row for row in response.context["rows"]}
    assert [rows[s]["reached"] for s in PIPELINE] == [3, 2, 2, 0, 0, 0]
    assert rows["idea"]["conversion"] is None
    assert rows["creativity"]["conversion"] == pytest.approx(66.7)
    assert rows["prototype"]["conversion"] == 100
    assert rows["experimentation"]["conversion"] == 0
    assert rows["essaimage"]["conversion"] is None  # nothing to convert from
    assert [rows[s]["now"] for s in PIPELINE] == [1, 0, 2, 0, 0, 0]
    # Median of 10, 4 and 6 days; of 10 and 26; of 40 and 30 (up to now).
    assert rows["idea"]["median_days"] == pytest.approx(6, abs=0.1)
    assert rows["creativity"]["median_days"] == pytest.approx(18, abs=0.1)
    assert rows["prototype"]["median_days"] == pytest.approx(35, abs=0.1)
    assert rows["experimentation"]["median_days"] is None

    html = response.content.decode()
    assert "66,7\u202f%" in html  # the one French formatter, as the charts write a share
    assert "18 jours" in html
    assert 'role="img"' in html
    assert "<caption" in html
    assert inline_code_in(html) == []


def test_the_funnel_table_writes_its_numbers_the_french_way():
    """Issue 17: the table beside the funnel groups thousands ("1 111", not Django's "1111")
    and writes decimals with a comma, through the one formatter (`fr_number`)."""
    row = {"stage": "idea", "label": "Idée", "is_final": False}
    html = render_to_string(
        "projects/includes/funnel_table.html",
        {
            "rows": [
                {
                    **row,
                    "reached": 1111,
                    "now": 2000,
                    "conversion": None,
                    "median_days": 1234.5,
                    "median_whole_days": 1234,
                },
                {
                    **row,
                    "reached": 741,
                    "now": 12,
                    "conversion": 66.69,
                    "median_days": 18.0,
                    "median_whole_days": 18,
                },
            ]
        },
    )
    cells = re.findall(r'<td class="text-end">\s*(.*?)\s*</td>', html, re.S)
    assert (cells[0], cells[2]) == ("1\u202f111", "2\u202f000")  # reached, now
    assert "1\u202f234,5 jours" in html
    assert "66,7\u202f%" in html
    assert "18 jours" in html
    assert "1111" not in html
    assert "2000" not in html


def test_funnel_counts_a_project_for_the_stages_it_went_past(client, agent_a):
    """Abandoned after an experimentation: it still reached idea to experimentation."""
    now = timezone.now()
    project = ProjectFactory(stage=Stage.IDEA)
    stage_history(
        project,
        ("idea", now - datetime.timedelta(days=30)),
        ("experimentation", now - datetime.timedelta(days=20)),
        ("abandoned", now - datetime.timedelta(days=5)),
        lesson_learned="Trop tôt pour le réseau.",
    )
    rows = get_as(client, agent_a, FUNNEL).context["rows"]
    assert [row["reached"] for row in rows] == [1, 1, 1, 1, 0, 0]


def test_funnel_leaves_out_drafts_the_user_cannot_see(client, agent_b):
    ProjectFactory(is_draft=True)
    ProjectFactory()
    rows = get_as(client, agent_b, FUNNEL).context["rows"]
    assert rows[0]["reached"] == 1


# --- director's dashboard ---------------------------------------------------------------------


def test_dashboard_counts_stages_health_programmes_and_ambitions(client, lab_staff):
    programme, ambition = Programme.objects.first(), CogAmbition.objects.first()
    a = ProjectFactory(stage=Stage.PROTOTYPE, health=Health.RED)
    ProjectFactory(stage=Stage.PROTOTYPE, health=Health.GREEN)
    ProjectFactory(stage=Stage.IDEA)
    a.programmes.add(programme)
    a.cog_ambitions.add(ambition)
    context = get_as(client, lab_staff, DASHBOARD).context
    assert context["total"] == 3
    by_stage = {row.label: row.value for row in context["stage_chart"].rows}
    assert by_stage["Prototype"] == 2
    assert by_stage["Idée"] == 1
    by_health = {row.label: row.value for row in context["health_chart"].rows}
    assert by_health == {"Non renseignée": 1, "Bonne": 1, "À surveiller": 0, "En difficulté": 1}
    by_programme = {row.label: row.value for row in context["programme_chart"].rows}
    assert by_programme[programme.name] == 1
    # A COG commitment counts the projects at the experimentation stage or beyond; the
    # prototype tagged to it is among those "rattachés" (tests/projects/test_cockpit.py).
    by_ambition = {row.label: (row.value, row.note) for row in context["ambition_chart"].rows}
    assert by_ambition[str(ambition)] == (0, "pas de cible\u00a0; rattachés\u00a0: 1")


def test_dashboard_lists_open_blockers_reviews_due_and_projects_to_revisit(
    client, directorate_member
):
    today = timezone.localdate()
    project = ProjectFactory(title="Projet freiné")
    BlockerLeverFactory(project=project, text="Accès aux données")
    BlockerLeverFactory(project=project, status=BlockerLever.Status.LIFTED, text="Levé")
    BlockerLeverFactory(project=project, kind=BlockerLever.Kind.LEVER, text="Un levier")
    due = GateReviewFactory(project=ProjectFactory(), due_on=today + datetime.timedelta(days=3))
    late = GateReviewFactory(project=ProjectFactory(), due_on=today - datetime.timedelta(days=2))
    GateReviewFactory(project=ProjectFactory(), due_on=today + datetime.timedelta(days=20))
    soon = ProjectFactory(stage=Stage.SHELVED, revisit_on=today + datetime.timedelta(days=10))
    ProjectFactory(stage=Stage.SHELVED, revisit_on=today + datetime.timedelta(days=60))
    DeploymentFactory()

    response = get_as(client, directorate_member, DASHBOARD)
    context = response.context
    assert context["open_blockers"] == 1
    assert context["open_levers"] == 1
    # Every open one, blockers and levers, the oldest first (tests/projects/test_cockpit.py).
    assert [b.text for b in context["recent_blockers"]] == ["Accès aux données", "Un levier"]
    assert list(context["reviews_due"]) == [late, due]
    assert list(context["to_revisit"]) == [soon]
    html = response.content.decode()
    review_url = reverse("projects:gate-review", kwargs={"code": due.project.code, "pk": due.pk})
    assert f'href="{review_url}"' in html
    # A blocker links to where it is handled: its project's blockers and levers.
    project_url = reverse("projects:detail", kwargs={"code": project.code})
    assert f'href="{project_url}#freins-leviers"' in html
    assert "en retard" in html
    assert html.count("<h1") == 1
    # Seven charts (stage, health, age of blockers, COG, programme, adoption, Caf), each
    # with its table.
    assert html.count('role="img"') == 7
    assert html.count("<caption") >= 7
    assert inline_code_in(html) == []


def test_dashboard_ranks_caf_by_live_deployments(client, lab_staff, caf_a, caf_b):
    for _ in range(2):
        DeploymentFactory(caf=caf_b)
    DeploymentFactory(caf=caf_a)
    DeploymentFactory(
        caf=Caf.objects.get(code="13"), status=Deployment.Status.DECLINED, reason="Pas de moyens"
    )
    chart = get_as(client, lab_staff, DASHBOARD).context["caf_chart"]
    assert [(row.label, row.value) for row in chart.rows] == [
        (caf_b.name, 2),
        (caf_a.name, 1),
    ]


# --- exports ----------------------------------------------------------------------------------

HEADER = [
    "Code",
    "Titre",
    "Étape",
    "Santé",
    "Porteur",
    "Direction sponsor",
    "Caf pilote",
    "Programmes",
    "Thèmes",
    "Filière",
    "Budget prévu (€)",
    "Budget consommé (€)",
    "Dernière mise à jour",
]
EVIL = '=HYPERLINK("http://malveillant.example","Cliquez")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("\rretour", "'\rretour"),
        ("Projet = idée", "Projet = idée"),
        ("", ""),
        (None, None),
        (12, 12),
    ],
)
def test_safe_cell_escapes_what_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_has_the_columns_in_order_and_escapes_formulas(client, lab_staff):
    project = ProjectFactory(
        title=EVIL,
        stage=Stage.PROTOTYPE,
        health=Health.GREEN,
        sponsor=Directorate.objects.first(),
        budget_planned="12500.50",
        budget_spent="300",
    )
    project.programmes.add(Programme.objects.first())
    project.themes.add(Theme.objects.first())
    response = get_as(client, lab_staff, CSV)
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="portefeuille-caflab-{today:%Y-%m-%d}.csv"'
    )
    header, row = csv_rows(response)
    assert header == HEADER
    project.refresh_from_db()
    assert row == [
        project.code,
        "'" + EVIL,
        "Prototype",
        "Bonne",
        str(project.lead),
        Directorate.objects.first().name,
        project.pilot_caf.name,
        Programme.objects.first().name,
        Theme.objects.first().name,
        "Lab national",
        "12500,50",
        "300,00",
        timezone.localtime(project.updated_at).strftime("%d/%m/%Y %H:%M"),
    ]


def test_export_applies_the_list_filters(client, agent_a):
    wanted = ProjectFactory(stage=Stage.PROTOTYPE)
    ProjectFactory(stage=Stage.IDEA)
    rows = csv_rows(get_as(client, agent_a, CSV, {"stage": "prototype"}))
    assert [row[0] for row in rows[1:]] == [wanted.code]


def test_xlsx_export_reads_back_with_text_cells_that_never_run(client, lab_staff):
    project = ProjectFactory(title=EVIL, budget_planned="1000")
    response = get_as(client, lab_staff, XLSX)
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == project.code
    title = sheet.cell(row=2, column=2)
    assert title.value == EVIL
    assert title.data_type == "s"  # a text cell, not a formula
    assert title.quotePrefix
    assert rows[1][10] == 1000
    assert isinstance(rows[1][12], datetime.datetime)


# --- a fixed number of queries ----------------------------------------------------------------


@pytest.fixture
def add_portfolio(lab_staff):
    """Adds `n` projects in bulk, each with themes, programmes, a stage history, an open blocker
    and lever, a deployment, a pending gate review due soon, and a team member; a few shelved."""
    lead = UserFactory(role=Role.AGENT)
    member = UserFactory(role=Role.AGENT)
    themes, programmes = list(Theme.objects.all()[:2]), list(Programme.objects.all()[:2])
    ambitions = list(CogAmbition.objects.all()[:2])
    cafs = list(Caf.objects.order_by("position")[:20])
    sponsor = Directorate.objects.first()
    counter = itertools.count(1)
    today = timezone.localdate()
    now = timezone.now()

    def add(n: int) -> None:
        batch = []
        for _ in range(n):
            i = next(counter)
            shelved = i % 7 == 0
            batch.append(
                Project(
                    code=f"INNO-2025-{i:04d}",
                    title=f"Projet de charge {i}",
                    problem="Un problème à résoudre.",
                    lead=lead,
                    sponsor=sponsor,
                    pilot_caf=cafs[i % len(cafs)],
                    stage=Stage.SHELVED if shelved else PIPELINE[i % len(PIPELINE)],
                    revisit_on=today + datetime.timedelta(days=i % 40) if shelved else None,
                    health=Health.values[i % 4],
                    is_draft=i % 5 == 0,
                )
            )
        projects = Project.objects.bulk_create(batch)
        Project.themes.through.objects.bulk_create(
            Project.themes.through(project=p, theme=t) for p in projects for t in themes
        )
        Project.programmes.through.objects.bulk_create(
            Project.programmes.through(project=p, programme=pr)
            for p in projects
            for pr in programmes
        )
        Project.cog_ambitions.through.objects.bulk_create(
            Project.cog_ambitions.through(project=p, cogambition=a)
            for p in projects
            for a in ambitions
        )
        StageChange.objects.bulk_create(
            StageChange(project=p, to_stage=s, changed_at=now - datetime.timedelta(days=30 - 5 * k))
            for p in projects
            if p.stage in PIPELINE
            for k, s in enumerate(PIPELINE[: PIPELINE.index(p.stage) + 1])
        )
        BlockerLever.objects.bulk_create(
            BlockerLever(project=p, kind=kind, text="À lever", owner=lead)
            for p in projects
            for kind in BlockerLever.Kind.values
        )
        Deployment.objects.bulk_create(
            Deployment(project=p, caf=cafs[(k + 3) % len(cafs)]) for k, p in enumerate(projects)
        )
        GateReview.objects.bulk_create(
            GateReview(
                project=p,
                from_stage=p.stage,
                to_stage=Stage.GENERALISED,
                requested_by=lead,
                motivation="Prêt.",
                due_on=today + datetime.timedelta(days=k % 10),
            )
            for k, p in enumerate(projects)
        )
        TeamMember.objects.bulk_create(TeamMember(project=p, user=member) for p in projects)

    return add


SIZES = (10, 500)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The "Porteur" filter is a type-ahead: no query for its choices. The rows read no
        # themes: only their programmes are prefetched.
        (LIST, 12),
        (f"{LIST}?stage=idea&caf=07&theme=&q=charge&tri=-health&page=1", 12),
        (KANBAN, 8),
        (FUNNEL, 7),
        # Exports: one more, the audit trail's row (caflab.core.audit.record).
        (CSV, 10),
        (XLSX, 10),
    ],
)
def test_portfolio_pages_cost_a_fixed_number_of_queries(
    client, agent_a, add_portfolio, url, expected
):
    client.force_login(agent_a)
    assert_flat_query_count(client, url, add_portfolio, sizes=SIZES, expected=expected)


# The directorate member pays two more: Django's ModelBackend loads their (empty) permissions
# once, when the sub-navigation asks whether they may add a project. The cockpit costs twelve
# (projects.services.dashboard); "Idées par origine" one (ideas by source and their
# conversion, one aggregate), the restitutions one when none is due (ecoute.cockpit), the
# evaluation three (evaluation.panels.cockpit). With rows in every panel:
# tests/projects/test_cockpit.py.
@pytest.mark.parametrize(("persona", "expected"), [("lab_staff", 20), ("directorate_member", 22)])
def test_dashboard_costs_a_fixed_number_of_queries(
    client, request, add_portfolio, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, DASHBOARD, add_portfolio, sizes=SIZES, expected=expected)


# --- cached fragments (caflab.core.fragments) -------------------------------------------------


def test_kanban_board_shows_a_change_at_once_despite_its_cache(client, lab_staff):
    project = ProjectFactory(stage=Stage.IDEA, title="Avant")
    client.force_login(lab_staff)
    assert "Avant" in client.get(KANBAN).content.decode()
    Project.objects.filter(pk=project.pk).update(title="Après")
    html = client.get(KANBAN).content.decode()
    assert "Après" in html
    assert "Avant" not in html


def test_kanban_board_cached_for_the_lab_never_shows_its_gate_links_to_an_agent(
    client, lab_staff, agent_a
):
    project = ProjectFactory(stage=Stage.IDEA)
    assert gate_link(project) in get_as(client, lab_staff, KANBAN).content.decode()
    # The same projects, seen by someone who may not request a gate review.
    assert gate_link(project) not in get_as(client, agent_a, KANBAN).content.decode()


def test_dashboard_shows_a_new_blocker_at_once_despite_its_cache(client, lab_staff):
    project = ProjectFactory()
    client.force_login(lab_staff)
    assert "Données manquantes" not in client.get(DASHBOARD).content.decode()
    BlockerLeverFactory(project=project, text="Données manquantes")
    html = client.get(DASHBOARD).content.decode()
    assert "Données manquantes" in html
    assert "1 frein ouvert" in html


def test_funnel_counts_match_the_stage_history_for_every_persona(client, lab_staff, agent_b):
    """The counts come from one grouped query summed in Python: a project in a side stage
    counts for the steps its history went through, a draft only for those who see it."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    shelved = ProjectFactory(stage=Stage.IDEA)
    stage_history(
        shelved,
        ("idea", now - 9 * day),
        ("prototype", now - 5 * day),
        ("shelved", now - day),
        revisit_on=timezone.localdate(),
    )
    ProjectFactory(stage=Stage.ESSAIMAGE, is_draft=True)
    lab = {row["stage"]: row for row in get_as(client, lab_staff, FUNNEL).context["rows"]}
    assert [lab[s]["reached"] for s in PIPELINE] == [2, 2, 2, 1, 1, 0]
    assert [lab[s]["now"] for s in PIPELINE] == [0, 0, 0, 0, 1, 0]
    agent = {row["stage"]: row for row in get_as(client, agent_b, FUNNEL).context["rows"]}
    assert [agent[s]["reached"] for s in PIPELINE] == [1, 1, 1, 0, 0, 0]
    assert agent["idea"]["median_days"] == pytest.approx(4, abs=0.1)
