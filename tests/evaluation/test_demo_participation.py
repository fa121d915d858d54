"""The participation demo for one project: surveys with two waves of answers, testimonies,
effects (the open severe one on the first project only), judgements and ecological ratings."""

import io

import pytest

from ecoute.results import questionnaire_results
from evaluation.demo_participation import ANSWERS_PER_WAVE, seed_participation
from evaluation.models import EcologicalRating, Effect, Judgement, SurveyWaveResponse
from evaluation.services.participation import quotable_testimonies, waves_compare
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_seed_participation_fills_a_project_once():
    first, second = ProjectFactory(), ProjectFactory()
    out = io.StringIO()
    seed_participation(first, out)
    seed_participation(second, out)
    seed_participation(first, out)  # again: skipped
    survey = first.surveys.get()
    before, after = survey.waves.order_by("position")
    assert (before.kind, after.kind) == ("before", "after")
    assert SurveyWaveResponse.objects.filter(wave=before).count() == ANSWERS_PER_WAVE >= 30
    assert SurveyWaveResponse.objects.filter(wave=after).count() == ANSWERS_PER_WAVE
    assert survey.questionnaire.responses.count() == 2 * ANSWERS_PER_WAVE
    _waves, compared = waves_compare(survey)
    means = [c.result.mean for c in compared[0].columns]
    assert means[0] < means[1]  # people know their rights better after
    assert questionnaire_results(survey.questionnaire)[0].answered == 2 * ANSWERS_PER_WAVE

    assert first.testimonies.count() > quotable_testimonies(first).count() > 0
    assert Effect.objects.blocking().filter(project=first).count() == 1
    assert not Effect.objects.blocking().filter(project=second).exists()
    assert Judgement.objects.filter(project=first).count() == 6
    assert EcologicalRating.objects.filter(project=first).count() == 7
    assert first.surveys.count() == 1
    assert "déjà là" in out.getvalue()
