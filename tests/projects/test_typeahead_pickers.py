"""The portfolio's pickers over big tables are type-aheads that also work without JavaScript:
the project list's "Porteur" filter and the Caf map's project take what is typed."""

from django.urls import reverse

from caflab.accounts.models import Role
from projects.models import Deployment
from tests.accounts.factories import UserFactory
from tests.projects.factories import DeploymentFactory, ProjectFactory

LIST = reverse("projects:index")
MAP = reverse("projects:map")


def codes_in(response) -> set[str]:
    assert response.status_code == 200
    return {p.code for p in response.context["projects"]}


def _leads():
    marie = UserFactory(first_name="Marie", last_name="Dupont", email="marie.dupont@caf.example")
    paul = UserFactory(first_name="Paul", last_name="Dupont", email="paul.dupont@caf.example")
    other = UserFactory(first_name="Léa", last_name="Martin", email="lea.martin@caf.example")
    return (
        ProjectFactory(lead=marie, title="Projet de Marie"),
        ProjectFactory(lead=paul, title="Projet de Paul"),
        ProjectFactory(lead=other, title="Projet de Léa"),
    )


def test_the_lead_filter_is_a_type_ahead_not_a_select(client, agent_a):
    _leads()
    client.force_login(agent_a)
    html = client.get(LIST).content.decode()
    assert '<select name="lead"' not in html
    assert 'data-typeahead="/suggestions/porteurs/"' in html
    assert 'list="id_lead-suggestions"' in html
    assert "js/typeahead" in html


def test_the_lead_filter_takes_a_suggestion_an_address_or_a_typed_name(client, agent_a):
    marie_s, paul_s, _lea_s = _leads()
    client.force_login(agent_a)
    # The value a suggestion puts in the input (the address), in any case.
    assert codes_in(client.get(LIST, {"lead": "Marie.Dupont@caf.example"})) == {marie_s.code}
    # Typed words, without JavaScript: every lead they match.
    assert codes_in(client.get(LIST, {"lead": "dupont"})) == {marie_s.code, paul_s.code}
    assert codes_in(client.get(LIST, {"lead": "Paul Dupont"})) == {paul_s.code}
    # An id, as older links carried it.
    assert codes_in(client.get(LIST, {"lead": str(marie_s.lead_id)})) == {marie_s.code}


def test_an_unknown_lead_gets_a_clear_french_error_and_no_projects(client, agent_a):
    _leads()
    client.force_login(agent_a)
    response = client.get(LIST, {"lead": "Inconnu"})
    assert response.context["projects"] is None or not list(response.context["projects"])
    assert (
        "Aucun porteur de projet ne correspond à «\u00a0Inconnu\u00a0»."
        in response.content.decode()
    )


def test_a_hidden_drafts_lead_is_no_lead_to_filter_by(client, agent_b):
    secret = UserFactory(first_name="Sigrid", last_name="Secrète", role=Role.LAB_STAFF, caf=None)
    ProjectFactory(lead=secret, is_draft=True)
    client.force_login(agent_b)
    response = client.get(LIST, {"lead": "Sigrid"})
    assert (
        "Aucun porteur de projet ne correspond à «\u00a0Sigrid\u00a0»." in response.content.decode()
    )


def test_the_map_picks_its_project_by_code_suggestion_or_words(client, agent_a, caf_b):
    project = ProjectFactory(title="Rendez-vous des droits")
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    undeployed = ProjectFactory(title="Rendez-vous sans déploiement")
    client.force_login(agent_a)
    html = client.get(MAP).content.decode()
    assert '<select name="projet"' not in html
    assert 'data-typeahead="/suggestions/projets-essaimes/"' in html
    for typed in (project.code, f"{project.code} – {project.title}", "rendez droits"):
        response = client.get(MAP, {"projet": typed})
        assert response.context["project"] == project, typed
    # Only projects deployed somewhere are on the map: a typed one that is not is an error.
    response = client.get(MAP, {"projet": undeployed.code})
    assert response.context["project"] is None
    assert "Aucun choix possible ne correspond" in response.content.decode()


def test_deployed_project_suggestions_are_those_with_deployments(client, agent_a, caf_b):
    project = ProjectFactory(title="Rendez-vous des droits")
    DeploymentFactory(project=project, caf=caf_b)
    ProjectFactory(title="Rendez-vous sans déploiement")
    client.force_login(agent_a)
    url = reverse("core:typeahead", kwargs={"source": "projets-essaimes"})
    results = client.get(url, {"q": "rendez"}).json()["results"]
    assert [r["value"] for r in results] == [f"{project.code} – {project.title}"]


# --- the public sheet, cached ----------------------------------------------------------------


def test_the_public_sheet_is_cached_and_changes_with_the_project(
    client, lab_staff, caf_b, django_assert_max_num_queries
):
    project = ProjectFactory(lead=lab_staff, is_public=True, title="Fiche publique")
    url = reverse("projects:public-sheet", kwargs={"code": project.code})
    assert "Fiche publique" in client.get(url).content.decode()  # fills the cache
    with django_assert_max_num_queries(1):  # cached: the project's key, nothing else
        assert "Fiche publique" in client.get(url).content.decode()

    project.title = "Fiche publique renommée"
    project.save()
    assert "Fiche publique renommée" in client.get(url).content.decode()

    assert "Rhône" not in client.get(url).content.decode()
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    assert "Rhône" in client.get(url).content.decode()


def test_the_cached_sheet_carries_no_csrf_token(client, lab_staff):
    from django.core.cache import cache

    from projects.views.project import PublicSheetView, public_sheet_key

    project = ProjectFactory(lead=lab_staff, is_public=True)
    client.get(reverse("projects:public-sheet", kwargs={"code": project.code}))

    keyed = PublicSheetView().get_queryset().get(pk=project.pk)
    body = cache.get(public_sheet_key(keyed))
    assert body
    assert "csrf" not in body.lower()
