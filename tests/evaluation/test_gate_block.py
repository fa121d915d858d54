"""An open severe negative effect blocks a "go" at the next gate review unless the lab writes an
override justification; projects only knows the registry (`projects.gate_checks`)."""

import pytest
from django.urls import reverse

from evaluation.models import Effect
from evaluation.services.effects import effect_transition, open_severe_effects_block_go
from projects.gate_checks import _blockers, go_blockers
from projects.models import GateReview, Stage
from tests.evaluation.factories import EffectFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead, stage=Stage.IDEA)


@pytest.fixture
def review(project):
    return GateReviewFactory(project=project)


@pytest.fixture
def severe(project):
    return EffectFactory(
        project=project,
        description="Des familles ont cru perdre leurs droits.",
        severity=Effect.Severity.SEVERE,
        nature=Effect.Nature.UNEXPECTED_NEGATIVE,
    )


def decide_url(review) -> str:
    return reverse("projects:gate-decide", kwargs={"code": review.project.code, "pk": review.pk})


def review_url(review) -> str:
    return reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk})


def test_evaluation_registers_its_check_at_start_up():
    assert open_severe_effects_block_go in _blockers


def test_only_open_severe_negative_effects_block(project, lead):
    EffectFactory(project=project, severity=Effect.Severity.MAJOR)
    EffectFactory(
        project=project,
        severity=Effect.Severity.SEVERE,
        nature=Effect.Nature.UNEXPECTED_POSITIVE,
    )
    EffectFactory(project=project, severity=Effect.Severity.SEVERE, status="mitigating")
    EffectFactory(severity=Effect.Severity.SEVERE)  # another project
    assert go_blockers(project) == []
    EffectFactory(project=project, severity=Effect.Severity.SEVERE, description="Grave.")
    assert go_blockers(project) == ["effet négatif grave ouvert\u00a0: «\u00a0Grave.\u00a0»"]


def test_the_review_page_lists_blockers_and_shows_the_override_field(
    client, lab_staff, review, severe
):
    client.force_login(lab_staff)
    page = client.get(review_url(review))
    html = page.content.decode()
    assert "Un «\u00a0go\u00a0» est bloqué" in html
    assert "Des familles ont cru perdre leurs droits." in html
    assert 'name="override_justification"' in html


def test_without_blockers_the_override_field_is_not_shown(client, lab_staff, review):
    client.force_login(lab_staff)
    html = client.get(review_url(review)).content.decode()
    assert 'name="override_justification"' not in html


def test_a_go_without_justification_is_refused_and_the_form_keeps_input(
    client, lab_staff, review, severe
):
    client.force_login(lab_staff)
    response = client.post(
        decide_url(review), {"decision": "go", "rationale": "Le prototype est concluant."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un «\u00a0go\u00a0» malgré les blocages demande une justification écrite." in html
    assert "Le prototype est concluant." in html
    review.refresh_from_db()
    assert review.status == GateReview.Status.REQUESTED
    assert review.project.stage == Stage.IDEA


def test_a_go_with_justification_is_recorded_and_shown(client, lab_staff, review, severe):
    client.force_login(lab_staff)
    response = client.post(
        decide_url(review),
        {
            "decision": "go",
            "rationale": "Le prototype est concluant.",
            "override_justification": "Un plan d'atténuation est financé et suivi chaque mois.",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    review.project.refresh_from_db()
    assert review.decision == "go"
    assert review.override_justification.startswith("Un plan d'atténuation")
    assert review.project.stage == Stage.CREATIVITY
    html = client.get(review_url(review)).content.decode()
    assert "Go malgré un blocage\u00a0: justification" in html
    assert "Un plan d&#x27;atténuation est financé" in html


def test_other_decisions_are_not_blocked(client, lab_staff, review, severe):
    client.force_login(lab_staff)
    response = client.post(decide_url(review), {"decision": "recycle", "rationale": "À revoir."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == "recycle"
    assert review.override_justification == ""


def test_the_service_refuses_a_go_without_justification(review, severe, lab_staff):
    from django.core.exceptions import ValidationError

    from projects.services import gate_decide

    with pytest.raises(ValidationError) as refused:
        gate_decide(review=review, by=lab_staff, decision="go", rationale="Oui.")
    assert "override_justification" in refused.value.error_dict


def test_once_the_effect_is_mitigated_a_go_needs_no_justification(
    client, lab_staff, lead, review, severe
):
    effect_transition(effect=severe, to_status="mitigating", comment="Courrier revu.", by=lead)
    client.force_login(lab_staff)
    response = client.post(decide_url(review), {"decision": "go", "rationale": "Concluant."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == "go"
