"""Judgements per criterion (rating, rationale, evidence) and the ecological assessment."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import Criterion, EcologicalRating, Indicator, Judgement
from evaluation.services.judgements import ecological_assessment_save, judgement_save
from tests.evaluation.factories import TestimonyFactory as testimony_factory
from tests.evaluation.factories import make_survey
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead)


def indicator(project, name="Taux de recours au RSA"):
    return Indicator.objects.create(
        project=project,
        name=name,
        definition="Part des foyers éligibles qui le perçoivent.",
        unit="%",
        direction="higher",
        category="users",
        frequency="quarterly",
    )


def test_a_judgement_links_its_evidence_and_can_be_revised(project, lead):
    rate = indicator(project)
    testimony = testimony_factory(project=project)
    survey = make_survey(project, questions=0)
    judgement = judgement_save(
        project=project,
        criterion=Criterion.EFFECTIVENESS,
        rating=Judgement.Rating.SATISFACTORY,
        rationale="Le recours progresse de 6 points.",
        indicators=[rate],
        testimonies=[testimony],
        surveys=[survey],
        by=lead,
    )
    assert list(judgement.indicators.all()) == [rate]
    assert list(judgement.testimonies.all()) == [testimony]
    assert list(judgement.surveys.all()) == [survey]
    judgement_save(
        project=project,
        criterion=Criterion.EFFECTIVENESS,
        rating=Judgement.Rating.VERY_SATISFACTORY,
        rationale="Confirmé au second semestre.",
        by=lead,
    )
    judgement = Judgement.objects.get()
    assert judgement.rating == 4
    assert not judgement.indicators.exists()


def test_evidence_of_another_project_is_refused(project, lead):
    other = indicator(ProjectFactory())
    with pytest.raises(ValidationError):
        judgement_save(
            project=project,
            criterion=Criterion.IMPACT,
            rating=2,
            rationale="Trop tôt.",
            indicators=[other],
            by=lead,
        )


def test_the_judgement_form_keeps_input_and_saves(client, project, lead):
    rate = indicator(project)
    client.force_login(lead)
    url = reverse(
        "evaluation:judgement-edit", kwargs={"code": project.code, "criterion": "relevance"}
    )
    response = client.post(url, {"rationale": "Répond à un besoin avéré.", "indicators": [rate.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez une appréciation." in html
    assert "Répond à un besoin avéré." in html
    assert re.search(rf'value="{rate.pk}"[^>]*checked', html)
    response = client.post(
        url, {"rating": "3", "rationale": "Répond à un besoin avéré.", "indicators": [rate.pk]}
    )
    assert response.status_code == 302
    assert Judgement.objects.get().criterion == "relevance"
    page = client.get(reverse("evaluation:judgements", kwargs={"code": project.code}))
    assert "Répond à un besoin avéré." in page.content.decode()


def test_an_unknown_criterion_is_404(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:judgement-edit", kwargs={"code": project.code, "criterion": "beauty"})
    assert client.get(url).status_code == 404


def ecological_data(skip=None):
    data = {}
    for objective in EcologicalRating.Objective.values:
        if objective == skip:
            continue
        data[f"note_{objective}"] = "0"
        data[f"justification_{objective}"] = f"Sans effet notable ({objective})."
    return data


def test_the_ecological_form_has_seven_radio_groups_with_legends(client, project, lead):
    client.force_login(lead)
    html = client.get(
        reverse("evaluation:ecological-edit", kwargs={"code": project.code})
    ).content.decode()
    assert html.count("<fieldset") >= 7
    for label in EcologicalRating.Objective.labels:
        assert re.search(rf"<legend[^>]*>\s*{re.escape(str(label))}", html), label


def test_the_ecological_form_keeps_input_on_error_then_saves_seven_ratings(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:ecological-edit", kwargs={"code": project.code})
    data = ecological_data(skip="water")
    data["note_social_cohesion"] = "1"
    data["justification_social_cohesion"] = "Recrée du lien entre familles."
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez défavorable, neutre ou favorable." in html
    assert "Recrée du lien entre familles." in html
    assert not EcologicalRating.objects.exists()
    data.update({"note_water": "-1", "justification_water": "Plus de déplacements en voiture."})
    assert client.post(url, data).status_code == 302
    assert EcologicalRating.objects.filter(project=project).count() == 7
    assert EcologicalRating.objects.get(objective="water").rating == -1


def test_the_service_requires_all_seven_objectives(project, lead):
    with pytest.raises(ValidationError):
        ecological_assessment_save(project=project, ratings={"water": (0, "x")}, by=lead)
