"""The effects register: recording, transitions with their history and reasons, the owner
told; the register page's fixed query count; the project page shows open severe effects."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caflab.accounts.models import Role
from caflab.notifications.models import Notification
from evaluation.models import Effect, EffectChange
from evaluation.services.effects import effect_record, effect_transition
from projects.services import AlreadyDone
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import EffectFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

EFFECTS_QUERIES = 5


@pytest.fixture
def owner(caf_a):
    return UserFactory(email="responsable@caf38.example", role=Role.CORRESPONDENT, caf=caf_a)


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead)


def record(project, lead, owner, **fields):
    data = {
        "nature": Effect.Nature.UNEXPECTED_NEGATIVE,
        "description": "Des familles ont cru perdre leurs droits en recevant la convocation.",
        "affected": "Familles monoparentales",
        "severity": Effect.Severity.SEVERE,
        "likelihood": Effect.Likelihood.LIKELY,
        "owner": owner,
    }
    data.update(fields)
    return effect_record(project=project, by=lead, **data)


def test_recording_an_effect_opens_it_with_history_and_tells_its_owner(project, lead, owner):
    effect = record(project, lead, owner)
    assert effect.status == Effect.Status.OPEN
    assert effect.is_blocking
    (change,) = effect.changes.all()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "open", lead)
    assert Notification.objects.filter(recipient=owner, kind="evaluation.effect_assigned").exists()


def test_transitions_keep_history_with_reasons_and_notify_the_owner(project, lead, owner):
    effect = record(project, lead, owner)
    effect = effect_transition(
        effect=effect, to_status="mitigating", comment="Courrier réécrit.", by=lead
    )
    effect = effect_transition(
        effect=effect, to_status="resolved", comment="Plus de plainte.", by=lead
    )
    assert effect.status == "resolved"
    assert not effect.is_blocking
    history = list(
        EffectChange.objects.filter(effect=effect).values_list(
            "from_status", "to_status", "comment"
        )
    )
    assert history[1:] == [
        ("open", "mitigating", "Courrier réécrit."),
        ("mitigating", "resolved", "Plus de plainte."),
    ]
    assert (
        Notification.objects.filter(recipient=owner, kind="evaluation.effect_status").count() == 2
    )


def test_refused_transitions(project, lead, owner):
    effect = record(project, lead, owner)
    with pytest.raises(AlreadyDone):
        effect_transition(effect=effect, to_status="open", comment="x", by=lead)
    with pytest.raises(ValidationError):
        effect_transition(effect=effect, to_status="mitigating", comment="  ", by=lead)
    effect = effect_transition(
        effect=effect, to_status="accepted", comment="Risque assumé.", by=lead
    )
    with pytest.raises(ValidationError):
        effect_transition(effect=effect, to_status="resolved", comment="x", by=lead)
    effect = effect_transition(effect=effect, to_status="open", comment="Rouvert.", by=lead)
    assert effect.status == "open"


def test_the_register_page_and_transition_form(client, project, lead, owner):
    effect = record(project, lead, owner)
    client.force_login(lead)
    url = reverse("evaluation:effect-transition", kwargs={"pk": effect.pk})
    response = client.post(url, {"to_status": "mitigating", "comment": ""})
    assert response.status_code == 400
    assert "Expliquez ce changement de statut." in response.content.decode()
    response = client.post(url, {"to_status": "mitigating", "comment": "Plan d'action lancé."})
    assert response.status_code == 302
    effect.refresh_from_db()
    assert effect.status == "mitigating"
    # A double click: the same status again is "already done", not an error page.
    response = client.post(url, {"to_status": "mitigating", "comment": "Plan d'action lancé."})
    assert response.status_code == 302
    page = client.get(reverse("evaluation:effect-detail", kwargs={"pk": effect.pk}))
    assert "Plan d&#x27;action lancé." in page.content.decode()


def test_the_effect_form_keeps_input_on_error(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:effect-create", kwargs={"code": project.code})
    response = client.post(
        url, {"description": "Attente allongée au guichet.", "nature": "negative"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Attente allongée au guichet." in html
    assert "Ce champ est obligatoire." in html
    response = client.post(
        url,
        {
            "description": "Attente allongée au guichet.",
            "nature": "negative",
            "affected": "Usagers sans rendez-vous",
            "severity": "2",
            "likelihood": "3",
            "owner": str(lead.pk),
        },
    )
    assert response.status_code == 302
    assert Effect.objects.get().recorded_by == lead


def test_the_project_page_shows_open_severe_negative_effects(client, project, lead, owner):
    effect = record(project, lead, owner)
    EffectFactory(project=project, description="Un effet mineur sans gravité.")
    client.force_login(lead)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "1 effet négatif grave ouvert" in html
    assert effect.description[:50] in html
    assert "Un effet mineur" not in html
    effect_transition(effect=effect, to_status="resolved", comment="Réglé.", by=lead)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "effet négatif grave ouvert" not in html
    assert "Registre des effets\u00a0: 2 effets" in html


def test_the_project_page_panel_costs_a_fixed_number_of_queries(client, project, lead):
    client.force_login(lead)

    def add(n):
        EffectFactory.create_batch(n, project=project, severity=Effect.Severity.SEVERE)

    assert_flat_query_count(client, project.get_absolute_url(), add)


def test_effects_register_costs_a_fixed_number_of_queries(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:effects", kwargs={"code": project.code})

    def add(n):
        for effect in EffectFactory.create_batch(n, project=project):
            EffectChange.objects.create(effect=effect, to_status="open")

    assert_flat_query_count(client, url, add, expected=EFFECTS_QUERIES)
