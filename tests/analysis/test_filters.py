"""The coding list's wave filter (analysis.filters): an evaluation survey's texts carry their
wave ("Avant", "Après"…); the filter is offered, with the waves' own French labels in their
order, only when the analysis' texts have two waves or more, selects the texts of one wave
(and a bulk action with it), and costs no query: the waves are kept on the analysis by the
build."""

import pytest
from django.urls import reverse

from analysis.models import Analysis, CodeAssignment
from analysis.services import analysis_create_for, code_create, texts_request
from analysis.sources import get_source
from ecoute.models import Question
from evaluation.analysis_sources import SURVEY
from evaluation.models import SurveyWave, SurveyWaveResponse
from tests.analysis.factories import answer_texts
from tests.ecoute.factories import QuestionFactory
from tests.evaluation.factories import SurveyWaveFactory, make_survey
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def question_and_waves(lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a)
    survey = make_survey(project, questions=0)
    question = QuestionFactory(
        section=survey.questionnaire.sections.get(),
        kind=Question.Kind.LONG_TEXT,
        label="Qu’est-ce qui a changé pour vous ?",
    )
    before = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.BEFORE, label="")
    after = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.AFTER, label="")
    return survey, question, before, after


def answer_in(wave, question, texts):
    answers = answer_texts(question, texts)
    SurveyWaveResponse.objects.bulk_create(
        SurveyWaveResponse(wave=wave, response_id=answer.response_id) for answer in answers
    )


@pytest.fixture
def survey_analysis(question_and_waves, lead) -> Analysis:
    survey, question, before, after = question_and_waves
    answer_in(before, question, ["Je ne savais pas où demander.", "Trop de papiers."])
    answer_in(after, question, ["Le rendez-vous m’a tout expliqué."])
    return analysis_create_for(source=get_source(SURVEY), subject=survey, by=lead)


def coding_url(analysis, query: str = "") -> str:
    return reverse("analysis:coding", kwargs={"pk": analysis.pk}) + query


def test_the_build_keeps_the_waves_in_their_order(survey_analysis):
    assert survey_analysis.waves == ["Avant", "Après"]


def test_the_wave_filter_is_offered_with_two_waves_and_selects_one(client, lead, survey_analysis):
    client.force_login(lead)
    page = client.get(coding_url(survey_analysis)).content.decode()
    assert 'name="wave"' in page
    assert ">Après</option>" in page

    response = client.get(coding_url(survey_analysis, "?wave=Apr%C3%A8s"))
    assert [t.text for t in response.context["object_list"]] == [
        "Le rendez-vous m’a tout expliqué."
    ]
    assert "· Après" in response.content.decode()  # each text says its wave


def test_the_wave_filter_is_not_offered_with_a_single_wave(client, lead, question_and_waves):
    survey, question, before, _after = question_and_waves
    answer_in(before, question, ["Seulement avant."])
    analysis = analysis_create_for(source=get_source(SURVEY), subject=survey, by=lead)
    assert analysis.waves == ["Avant"]
    client.force_login(lead)
    assert 'name="wave"' not in client.get(coding_url(analysis)).content.decode()


def test_the_wave_filter_is_not_offered_without_waves(client, correspondent_a, analysis_a):
    client.force_login(correspondent_a)
    assert analysis_a.waves == []
    assert 'name="wave"' not in client.get(coding_url(analysis_a)).content.decode()


def test_a_bulk_action_keeps_the_wave_filter(client, lead, survey_analysis):
    code = code_create(analysis=survey_analysis, label="Démarches")
    client.force_login(lead)
    response = client.post(
        reverse("analysis:bulk-apply", kwargs={"pk": survey_analysis.pk}),
        {"apply_code": code.pk, "wave": "Avant"},
    )
    assert response.url.endswith("?wave=Avant")
    coded = CodeAssignment.objects.filter(code=code).values_list("text__wave", flat=True)
    assert sorted(coded) == ["Avant", "Avant"]


def test_the_coding_list_with_waves_costs_the_same_queries_at_two_sizes(
    client, lead, question_and_waves
):
    survey, question, before, after = question_and_waves
    answer_in(before, question, ["Premier texte avant."])
    answer_in(after, question, ["Premier texte après."])
    analysis = analysis_create_for(source=get_source(SURVEY), subject=survey, by=lead)
    code_create(analysis=analysis, label="Accueil", shortcut="c")
    client.force_login(lead)

    def add(n: int) -> None:
        answer_in(after, question, [f"Texte ajouté numéro {i} après" for i in range(n)])
        texts_request(analysis=analysis)

    url = coding_url(analysis, "?groups=tous&wave=Apr%C3%A8s")
    assert_flat_query_count(client, url, add, sizes=(3, 30), expected=QUERIES_CODING_SURVEY)
    # The filter itself costs nothing: the same page unfiltered costs the same.
    assert count_queries(client, coding_url(analysis, "?groups=tous")) == QUERIES_CODING_SURVEY


# The consultation's coding list is pinned in test_views (QUERIES_CODING = 12, unchanged by the
# wave filter: its choices come from Analysis.waves, no query). A survey's, for its lead,
# is 13, among them the survey and its project (the analysis' subject, for the lead's rights and
# the breadcrumbs), where the consultation's pin is the lab's. (It was 15 while the comment and
# synthesis sources asked `user.has_perm`: refused, Django's model backend then loaded the
# lead's own and group permissions; they now ask their rule directly.)
QUERIES_CODING_SURVEY = 13
