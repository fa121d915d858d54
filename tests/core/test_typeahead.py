"""Type-ahead pickers (caflab/core/typeahead.py): the JSON endpoint answers only what the user may
pick, at most MAX_RESULTS suggestions, and the field resolves typed text without JavaScript."""

import pytest
from django import forms
from django.urls import reverse

from caflab.accounts.models import Role
from caflab.core.typeahead import MAX_RESULTS, TypeaheadChoiceField
from criees.models import Initiative
from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
from tests.projects.factories import ProjectFactory


def suggest(client, source: str, text: str, **params):
    url = reverse("core:typeahead", kwargs={"source": source})
    return client.get(url, {"q": text, **params})


def values(response) -> list[str]:
    assert response.status_code == 200
    return [option["value"] for option in response.json()["results"]]


def test_project_suggestions_leave_out_the_drafts_a_user_may_not_see(client, agent_b, agent_a):
    ProjectFactory(title="Guichet numérique partagé")
    ProjectFactory(title="Guichet numérique confidentiel", is_draft=True)
    client.force_login(agent_b)
    assert [v.split(" – ")[1] for v in values(suggest(client, "projets", "guichet"))] == [
        "Guichet numérique partagé"
    ]


def test_suggestions_are_capped_and_say_when_more_matched(client, lab_staff):
    for i in range(MAX_RESULTS + 5):
        ProjectFactory(title=f"Accueil des familles {i}")
    client.force_login(lab_staff)
    response = suggest(client, "projets", "accueil familles")
    assert len(values(response)) == MAX_RESULTS
    assert response.json()["more"] is True
    assert suggest(client, "projets", "accueil familles 7").json()["more"] is False


def test_one_typed_character_suggests_nothing(client, lab_staff):
    ProjectFactory(title="Accueil")
    client.force_login(lab_staff)
    assert values(suggest(client, "projets", "a")) == []


def test_lead_suggestions_are_the_leads_of_visible_projects_only(client, agent_b):
    seen = UserFactory(first_name="Aline", last_name="Visible", role=Role.LAB_STAFF, caf=None)
    hidden = UserFactory(first_name="Aline", last_name="Cachée", role=Role.LAB_STAFF, caf=None)
    UserFactory(first_name="Aline", last_name="Sansprojet")  # leads nothing
    ProjectFactory(lead=seen)
    ProjectFactory(lead=hidden, is_draft=True)
    client.force_login(agent_b)
    response = suggest(client, "porteurs", "aline")
    assert values(response) == [seen.email]
    assert response.json()["results"][0]["label"] == "Aline Visible"


def test_citizens_and_anonymous_visitors_get_no_suggestions(client, citizen):
    ProjectFactory(title="Accueil")
    assert suggest(client, "projets", "accueil").status_code == 302  # to the login page
    client.force_login(citizen)
    assert suggest(client, "projets", "accueil").status_code == 403
    assert suggest(client, "porteurs", "accueil").status_code == 403


def test_an_unknown_source_is_404(client, lab_staff):
    client.force_login(lab_staff)
    assert suggest(client, "tout-le-monde", "dupont").status_code == 404


def test_initiatives_to_propose_are_the_correspondents_own_and_not_yet_proposed(
    client, correspondent_a, caf_b
):
    criee = CrieeFactory()
    own = InitiativeFactory(title="Accueil sans rendez-vous")
    proposed = InitiativeFactory(title="Accueil en itinérance")
    PitchFactory(criee=criee, initiative=proposed)
    InitiativeFactory(title="Accueil d'une autre Caf", caf=caf_b)
    InitiativeFactory(title="Accueil en brouillon", status=Initiative.Status.DRAFT)
    client.force_login(correspondent_a)
    found = values(suggest(client, "initiatives-a-proposer", "accueil", criee=criee.pk))
    assert found == [f"N° {own.pk} – Accueil sans rendez-vous ({own.caf.name})"]


def test_agents_may_not_ask_for_initiatives_to_propose(client, agent_a):
    client.force_login(agent_a)
    assert suggest(client, "initiatives-a-proposer", "accueil").status_code == 403


class PickForm(forms.Form):
    projet = TypeaheadChoiceField(queryset=Project.objects.all(), source="projets")


@pytest.mark.django_db
def test_the_field_resolves_a_suggestion_a_code_or_words_matching_one_project():
    project = ProjectFactory(title="Rendez-vous des droits")
    ProjectFactory(title="Rendez-vous naissance")
    for typed in (f"{project.code} – {project.title}", project.code.lower(), "droits rendez"):
        form = PickForm({"projet": typed})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["projet"] == project


@pytest.mark.django_db
def test_the_field_says_in_french_when_nothing_or_several_projects_match():
    ProjectFactory(title="Rendez-vous des droits")
    ProjectFactory(title="Rendez-vous naissance")
    form = PickForm({"projet": "rendez-vous"})
    assert not form.is_valid()
    assert "Plusieurs choix correspondent à «\u00a0rendez-vous\u00a0»" in form.errors["projet"][0]
    form = PickForm({"projet": "inexistant"})
    assert not form.is_valid()
    assert (
        "Aucun choix possible ne correspond à «\u00a0inexistant\u00a0»" in form.errors["projet"][0]
    )


def test_people_suggestions_count_against_the_people_search_limit(client, agent_a, settings):
    """Lead and contact pickers list people: past the people search's budget they answer 429
    with nothing, so they cannot harvest the directory; project pickers are not limited."""
    settings.PEOPLE_SEARCH_RATE_LIMIT = 3
    client.force_login(agent_a)
    leads = reverse("core:typeahead", kwargs={"source": "porteurs"})
    contacts = reverse("core:typeahead", kwargs={"source": "contacts-interet"})
    assert [client.get(leads, {"q": f"ag{n}"}).status_code for n in range(3)] == [200] * 3
    refused = client.get(contacts, {"q": "agent"})
    assert refused.status_code == 429
    assert refused.json() == {"results": [], "more": False}
    assert (
        client.get(
            reverse("core:typeahead", kwargs={"source": "projets"}), {"q": "pro"}
        ).status_code
        == 200
    )
