"""Essaimage: Caf declare their interest, deployments move, adaptations are logged, and the map
of the 101 Caf shows where each innovation runs."""

import datetime
import re
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from caflab.network.models import Caf
from caflab.notifications.models import Notification
from projects import caf_map
from projects.models import Adaptation, Deployment, DeploymentChange, Project, Stage, StageChange
from tests.projects.factories import DeploymentFactory, ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

Status = Deployment.Status
MAP_URL = reverse("projects:map")


@pytest.fixture
def project(lab_staff, caf_a):
    return ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE, pilot_caf=caf_a)


@pytest.fixture
def deployment_a(project, caf_a):
    return DeploymentFactory(project=project, caf=caf_a)


def declare_url(project) -> str:
    return reverse("projects:deployment-declare", kwargs={"code": project.code})


def deployments_url(project) -> str:
    return reverse("projects:deployments", kwargs={"code": project.code})


def deployment_url(deployment, name: str = "projects:deployment") -> str:
    return reverse(name, kwargs={"pk": deployment.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def svg_of(html: str) -> str:
    return re.search(r'<svg class="caf-map__svg".*?</svg>', html, re.S).group(0)


def table_of(html: str) -> str:
    return re.search(r'<details class="caf-map__table.*?</details>', html, re.S).group(0)


# --- the tile grid ----------------------------------------------------------------------------


def test_every_one_of_the_101_caf_has_a_unique_position():
    codes = set(Caf.objects.values_list("code", flat=True))
    assert len(codes) == 101
    assert set(caf_map.TILE_POSITIONS) == codes
    positions = list(caf_map.TILE_POSITIONS.values())
    assert len(set(positions)) == 101
    overseas = set(Caf.objects.filter(is_overseas=True).values_list("code", flat=True))
    for code, (_col, row) in caf_map.TILE_POSITIONS.items():
        assert (row == caf_map.OVERSEAS_ROW) == (code in overseas), code


def test_the_grid_resembles_france():
    col = {code: c for code, (c, _r) in caf_map.TILE_POSITIONS.items()}
    row = {code: r for code, (_c, r) in caf_map.TILE_POSITIONS.items()}
    metropolitan = [c for c in caf_map.TILE_POSITIONS if row[c] != caf_map.OVERSEAS_ROW]
    assert {"59", "62"} == {c for c in metropolitan if row[c] == 0}  # Nord, Pas-de-Calais on top
    assert col["29"] == min(col[c] for c in metropolitan)  # Finistère far left
    assert row["06"] > row["04"]  # Alpes-Maritimes south of the Alpes-de-Haute-Provence
    assert col["06"] == max(col[c] for c in metropolitan if c not in ("2A", "2B"))
    assert min(col["2A"], col["2B"]) > col["06"]  # Corse off the south-east coast
    assert row["2A"] > row["2B"]


# --- declaring interest -----------------------------------------------------------------------


def test_correspondent_declares_for_their_caf_and_the_lead_is_told(
    client, correspondent_a, project, caf_a, lab_staff
):
    stage_changes = StageChange.objects.count()
    client.force_login(correspondent_a)
    # a posted Caf is ignored: a correspondent declares for their own Caf only
    response = client.post(declare_url(project), {"caf": Caf.objects.get(code="69").pk})
    deployment = Deployment.objects.get()
    assert response.status_code == 302
    assert response.url == deployment_url(deployment)
    assert (deployment.caf, deployment.status, deployment.declared_by) == (
        caf_a,
        Status.INTERESTED,
        correspondent_a,
    )
    assert DeploymentChange.objects.filter(deployment=deployment).count() == 1
    assert StageChange.objects.count() == stage_changes
    project.refresh_from_db()
    assert project.stage == Stage.ESSAIMAGE
    assert Notification.objects.filter(
        kind="project.deployment_declared", recipient=lab_staff
    ).exists()


def test_declaring_twice_keeps_one_row_and_says_so(client, correspondent_a, project):
    client.force_login(correspondent_a)
    client.post(declare_url(project))
    response = client.post(declare_url(project))
    assert Deployment.objects.count() == 1
    assert "Votre Caf a déjà déclaré son intérêt." in messages_of(response)
    assert response.url == deployment_url(Deployment.objects.get())


def test_the_declare_form_is_offered_to_the_correspondent_until_they_declared(
    client, correspondent_a, project
):
    client.force_login(correspondent_a)
    assert client.get(deployments_url(project)).context["declare_form"] is not None
    client.post(declare_url(project))
    response = client.get(deployments_url(project))
    assert response.context["declare_form"] is None
    assert "Votre Caf a déjà déclaré son intérêt" in response.content.decode()


def test_an_agent_who_is_not_correspondent_gets_403(client, agent_a, project):
    client.force_login(agent_a)
    assert client.post(declare_url(project)).status_code == 403
    assert client.get(deployments_url(project)).context["declare_form"] is None
    assert not Deployment.objects.exists()


def test_lab_staff_chooses_the_caf(client, lab_staff, project, caf_b):
    client.force_login(lab_staff)
    response = client.post(declare_url(project), {})
    assert response.status_code == 200
    assert "Choisissez la Caf intéressée." in response.content.decode()
    client.post(declare_url(project), {"caf": caf_b.pk, "comment": "Vu à la criée."})
    assert Deployment.objects.get().caf == caf_b


def test_a_draft_project_is_404_for_agent_b(client, agent_b, lab_staff):
    draft = ProjectFactory(lead=lab_staff, is_draft=True)
    deployment = DeploymentFactory(project=draft)
    client.force_login(agent_b)
    assert client.get(deployments_url(draft)).status_code == 404
    assert client.post(declare_url(draft)).status_code == 404
    assert client.get(deployment_url(deployment)).status_code == 404


def test_a_correspondent_cannot_declare_on_a_draft_of_their_team(
    client, correspondent_a, lab_staff
):
    draft = ProjectFactory(lead=lab_staff, is_draft=True)
    draft.team_members.create(user=correspondent_a)
    client.force_login(correspondent_a)
    assert client.post(declare_url(draft)).status_code == 403


# --- moving a deployment, logging adaptations ------------------------------------------------


def test_correspondent_of_another_caf_cannot_move_the_deployment_but_its_own_yes(
    client, correspondent_a, correspondent_b, deployment_a, project, caf_b
):
    client.force_login(correspondent_b)
    page = client.get(deployment_url(deployment_a))
    assert page.status_code == 200
    assert page.context["move_form"] is None
    response = client.post(
        deployment_url(deployment_a, "projects:deployment-move"), {"status": Status.PREPARING}
    )
    assert response.status_code == 403
    deployment_b = DeploymentFactory(project=project, caf=caf_b)
    response = client.post(
        deployment_url(deployment_b, "projects:deployment-move"), {"status": Status.PREPARING}
    )
    assert response.status_code == 302
    deployment_b.refresh_from_db()
    assert deployment_b.status == Status.PREPARING
    client.force_login(correspondent_a)
    response = client.post(
        deployment_url(deployment_a, "projects:deployment-move"), {"status": Status.RUNNING}
    )
    assert response.status_code == 302
    deployment_a.refresh_from_db()
    assert deployment_a.status == Status.RUNNING
    assert deployment_a.changes.get().to_status == Status.RUNNING


def test_declined_without_reason_is_refused_with_a_french_error(
    client, correspondent_a, deployment_a
):
    client.force_login(correspondent_a)
    url = deployment_url(deployment_a, "projects:deployment-move")
    response = client.post(url, {"status": Status.DECLINED, "reason": " "})
    assert response.status_code == 200
    assert "Indiquez le motif du renoncement ou de l’arrêt." in response.content.decode()
    deployment_a.refresh_from_db()
    assert deployment_a.status == Status.INTERESTED
    response = client.post(url, {"status": Status.DECLINED, "reason": "Pas de moyens cette année."})
    assert response.status_code == 302
    deployment_a.refresh_from_db()
    assert deployment_a.status == Status.DECLINED


def test_moving_to_the_current_status_is_already_done(client, correspondent_a, deployment_a):
    client.force_login(correspondent_a)
    response = client.post(
        deployment_url(deployment_a, "projects:deployment-move"), {"status": Status.INTERESTED}
    )
    assert response.status_code == 302
    assert "Le déploiement a déjà ce statut." in messages_of(response)


def test_adaptations_are_logged_and_shown(client, correspondent_a, agent_a, deployment_a):
    client.force_login(correspondent_a)
    url = deployment_url(deployment_a, "projects:adaptation-add")
    response = client.post(url, {"made_on": "", "what": "", "why": "", "kind": "planned"})
    assert response.status_code == 200
    assert not Adaptation.objects.exists()
    response = client.post(
        url,
        {
            "made_on": timezone.localdate().isoformat(),
            "what": "Ateliers le samedi",
            "why": "Les familles travaillent en semaine",
            "kind": "reactive",
            "is_faithful": "False",
        },
    )
    assert response.status_code == 302
    adaptation = Adaptation.objects.get()
    assert (adaptation.kind, adaptation.is_faithful, adaptation.author) == (
        "reactive",
        False,
        correspondent_a,
    )
    client.force_login(agent_a)
    assert client.post(url, {}).status_code == 403
    page = client.get(deployment_url(deployment_a))
    assert "Ateliers le samedi" in page.content.decode()
    assert "S’écarte du modèle" in page.content.decode()


# --- the map ----------------------------------------------------------------------------------


def test_the_map_colours_caf_38_after_the_declaration(client, correspondent_a, project):
    client.force_login(correspondent_a)
    before = client.get(MAP_URL).content.decode()
    assert re.search(r'class="caf-map__tile caf-map__tile--none" data-caf="38"', svg_of(before))
    client.post(declare_url(project))
    html = client.get(MAP_URL).content.decode()
    tile = re.search(r'<a [^>]*data-caf="38"[^>]*>.*?</a>', svg_of(html), re.S).group(0)
    assert "caf-map__tile--interested" in tile
    assert 'fill="#fde9a9"' in tile
    assert "<title>Caf de l&#x27;Isère (38) : Intéressée</title>" in tile
    row = re.search(r'<tr [^>]*data-caf="38">.*?</tr>', table_of(html), re.S).group(0)
    assert "Intéressée" in row
    assert timezone.localdate().strftime("%Y") in row


def test_every_one_of_the_101_caf_appears_once_in_the_svg_and_in_the_table(client, agent_a):
    client.force_login(agent_a)
    html = client.get(MAP_URL).content.decode()
    codes = set(caf_map.TILE_POSITIONS)
    in_svg = Counter(re.findall(r'data-caf="([0-9AB]+)"', svg_of(html)))
    in_table = Counter(re.findall(r'<tr [^>]*data-caf="([0-9AB]+)"', table_of(html)))
    assert set(in_svg) == codes
    assert set(in_svg.values()) == {1}
    assert set(in_table) == codes
    assert set(in_table.values()) == {1}


def test_declined_or_stopped_squares_are_hatched_and_the_legend_says_so(
    client, lab_staff, project, caf_b
):
    DeploymentFactory(project=project, caf=caf_b, status=Status.STOPPED, reason="Fin du budget")
    client.force_login(lab_staff)
    html = client.get(MAP_URL).content.decode()
    tile = re.search(r'<a [^>]*data-caf="69"[^>]*>.*?</a>', svg_of(html), re.S).group(0)
    assert 'fill="url(#carte-hachures)"' in tile
    assert '<pattern id="carte-hachures"' in html
    assert "Renoncement ou arrêt (hachuré)\u00a0: 1" in html


def test_a_caf_shows_its_most_advanced_live_status(client, lab_staff, caf_a):
    DeploymentFactory(project=ProjectFactory(), caf=caf_a, status=Status.PREPARING)
    DeploymentFactory(project=ProjectFactory(), caf=caf_a, status=Status.SUSTAINED)
    DeploymentFactory(project=ProjectFactory(), caf=caf_a, status=Status.DECLINED, reason="Non")
    client.force_login(lab_staff)
    tiles = {t.code: t for t in client.get(MAP_URL).context["map"].tiles}
    assert tiles["38"].category.key == "sustained"
    assert tiles["38"].entry.count == 2  # live deployments only


def test_the_cached_map_shows_a_status_change_at_once(client, lab_staff, caf_a):
    """The drawn map is cached under the fingerprint of its data (caflab.core.fragments)."""
    deployment = DeploymentFactory(project=ProjectFactory(), caf=caf_a, status=Status.PREPARING)
    client.force_login(lab_staff)
    tile = r'data-caf="38" data-status="{}"'
    assert re.search(tile.format("preparing"), client.get(MAP_URL).content.decode())
    Deployment.objects.filter(pk=deployment.pk).update(status=Status.RUNNING)
    html = client.get(MAP_URL).content.decode()
    assert re.search(tile.format("running"), html)
    assert not re.search(tile.format("preparing"), html)


def test_the_map_hides_deployments_of_projects_the_user_cannot_see(client, agent_b, caf_a):
    draft = ProjectFactory(is_draft=True)
    DeploymentFactory(project=draft, caf=caf_a, status=Status.RUNNING)
    client.force_login(agent_b)
    tiles = {t.code: t for t in client.get(MAP_URL).context["map"].tiles}
    assert tiles["38"].category.key == "none"
    assert client.get(MAP_URL, {"projet": draft.code}).context["project"] is None


def test_the_project_filter_shows_one_projects_deployments(
    client, agent_a, project, deployment_a, caf_b
):
    DeploymentFactory(project=ProjectFactory(), caf=caf_b, status=Status.RUNNING)
    client.force_login(agent_a)
    response = client.get(MAP_URL, {"projet": project.code})
    assert response.context["project"] == project
    tiles = {t.code: t for t in response.context["map"].tiles}
    assert tiles["38"].category.key == "interested"
    assert tiles["38"].entry.url == deployment_url(deployment_a)
    assert tiles["69"].category.key == "none"


def test_the_project_deployments_page_lists_and_maps_them(client, agent_a, deployment_a):
    client.force_login(agent_a)
    response = client.get(deployments_url(deployment_a.project))
    html = response.content.decode()
    assert response.status_code == 200
    assert deployment_url(deployment_a) in html
    assert "caf-map__tile--interested" in svg_of(html)


def test_citizen_gets_403_on_the_map_and_anonymous_goes_to_login(client, citizen):
    client.force_login(citizen)
    assert client.get(MAP_URL).status_code == 403
    client.logout()
    response = client.get(MAP_URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


# --- the adoption curve -----------------------------------------------------------------------


def _adopt(deployment: Deployment, status: str, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    DeploymentChange.objects.create(deployment=deployment, to_status=status, changed_at=moment)


def test_the_adoption_curve_counts_each_caf_once_from_its_first_running_month(
    client, lab_staff, project, caf_a, caf_b
):
    caf_33 = Caf.objects.get(code="33")
    in_38 = DeploymentFactory(project=project, caf=caf_a, status=Status.SUSTAINED)
    _adopt(in_38, Status.RUNNING, datetime.date(2025, 1, 10))
    _adopt(in_38, Status.SUSTAINED, datetime.date(2025, 6, 2))  # same Caf: not counted again
    other_in_38 = DeploymentFactory(project=ProjectFactory(), caf=caf_a, status=Status.RUNNING)
    _adopt(other_in_38, Status.RUNNING, datetime.date(2025, 2, 1))  # same Caf again
    in_69 = DeploymentFactory(project=project, caf=caf_b, status=Status.RUNNING)
    _adopt(in_69, Status.PREPARING, datetime.date(2025, 1, 5))  # preparing is not adopting
    _adopt(in_69, Status.RUNNING, datetime.date(2025, 3, 31))
    in_33 = DeploymentFactory(project=project, caf=caf_33, status=Status.STOPPED, reason="Fin")
    _adopt(in_33, Status.RUNNING, datetime.date(2025, 3, 1))

    firsts = caf_map.first_months(Project.objects.all())
    curve = caf_map.adoption_curve(firsts, today=datetime.date(2025, 5, 15))
    assert [(p.month.month, p.new, p.total) for p in curve.points] == [
        (1, 1, 1),
        (2, 0, 1),
        (3, 2, 3),
        (4, 0, 3),
        (5, 0, 3),
    ]
    assert curve.path.startswith("M ")

    client.force_login(lab_staff)
    html = client.get(MAP_URL).content.decode()
    assert '<tr data-month="2025-03"><th scope="row" class="fw-normal">mars 2025</th>' in html
    assert "<td>2</td><td>3</td>" in html


def test_no_adoption_yet_says_so(client, agent_a, deployment_a):
    client.force_login(agent_a)
    response = client.get(MAP_URL)
    assert response.context["curve"].points == []
    assert "Aucune Caf n’a encore mis d’innovation en fonctionnement." in (
        response.content.decode()
    )


# --- query counts -----------------------------------------------------------------------------


def _add_deployments(lead):
    """Add `n` deployments (spread over projects and Caf) with their status history."""
    cafs = list(Caf.objects.order_by("position"))
    statuses = [Status.INTERESTED, Status.PREPARING, Status.RUNNING, Status.SUSTAINED]
    added = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            i = added["n"]
            added["n"] += 1
            project = ProjectFactory(lead=lead, stage=Stage.ESSAIMAGE)
            deployment = DeploymentFactory(
                project=project, caf=cafs[i % len(cafs)], status=statuses[i % len(statuses)]
            )
            _adopt(deployment, Status.RUNNING, datetime.date(2025, 1 + i % 12, 1))

    return add


def test_the_map_costs_a_fixed_number_of_queries(client, agent_a, lab_staff):
    # session, user, the user's Caf (navigation), unread count, deployments grouped by Caf and
    # status, the 101 Caf, first adoption per Caf (the project filter is a type-ahead: no query)
    client.force_login(agent_a)
    assert_flat_query_count(client, MAP_URL, _add_deployments(lab_staff), sizes=(5, 60), expected=6)


def test_the_filtered_map_costs_a_fixed_number_of_queries(client, agent_a, lab_staff, project):
    DeploymentFactory(project=project)
    client.force_login(agent_a)

    def add(n: int) -> None:
        cafs = Caf.objects.exclude(deployments__project=project).order_by("position")[:n]
        for caf in cafs:
            DeploymentFactory(project=project, caf=caf)

    # as above, plus the chosen project; its deployments replace the grouped query
    url = f"{MAP_URL}?projet={project.code}"
    assert_flat_query_count(client, url, add, sizes=(5, 60), expected=7)


def test_the_deployments_page_costs_a_fixed_number_of_queries(client, agent_a, project):
    # session, user, the user's Caf (navigation), unread count, project, deployments, the 101 Caf
    client.force_login(agent_a)

    def add(n: int) -> None:
        cafs = Caf.objects.exclude(deployments__project=project).order_by("position")[:n]
        for caf in cafs:
            DeploymentFactory(project=project, caf=caf, local_lead=agent_a)

    assert_flat_query_count(client, deployments_url(project), add, sizes=(5, 60), expected=6)
