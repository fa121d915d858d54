"""Sources other apps register (analysis.sources): evaluation's project testimonies and an
evaluation survey's open answers become texts to code, with their segment (Caf, wave,
audience) and no link to a person; a testimony is quotable only when its author consented. The
analysis is started from the testimonies' and the survey's pages by those who edit the
project's participation; anyone else gets 404."""

import pytest
from django.urls import reverse

from analysis.models import Analysis, AnalysisText, SourceKind
from analysis.services import analysis_create_for
from analysis.sources import get_source
from ecoute.models import Question
from evaluation.analysis_sources import SURVEY, TESTIMONIES
from evaluation.models import SurveyWaveResponse
from tests.analysis.factories import answer_texts
from tests.ecoute.factories import QuestionFactory
from tests.evaluation.factories import SurveyWaveFactory, make_survey
from tests.evaluation.factories import TestimonyFactory as testimony_factory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lead, caf_a):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a, title="Rendez-vous des droits")
    testimony_factory(project=project, caf=caf_a, text="L’accueil m’a aidée à tout comprendre.")
    testimony_factory(
        project=project,
        consent_to_quote=False,
        text="Appelez-moi au 06 12 34 56 78, je ne veux pas être citée.",
    )
    return project


@pytest.fixture
def survey(project):
    survey = make_survey(project, questions=0)
    question = QuestionFactory(
        section=survey.questionnaire.sections.get(),
        kind=Question.Kind.LONG_TEXT,
        label="Qu’est-ce qui vous a le plus aidé ?",
    )
    wave = SurveyWaveFactory(survey=survey, label="Avant l’expérimentation")
    answers = answer_texts(question, ["Le rappel par SMS.", "La conseillère au téléphone."])
    SurveyWaveResponse.objects.bulk_create(
        SurveyWaveResponse(wave=wave, response_id=answer.response_id) for answer in answers
    )
    return survey


def test_a_projects_testimonies_become_texts_quotable_only_with_consent(project, lead, caf_a):
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=lead)

    assert analysis.consultation is None
    assert analysis.title.startswith("Témoignages – ")
    texts = {t.text: t for t in AnalysisText.objects.filter(analysis=analysis)}
    assert len(texts) == 2
    consented = texts["L’accueil m’a aidée à tout comprendre."]
    assert consented.source_kind == SourceKind.TESTIMONY
    assert consented.is_quotable
    assert consented.caf == caf_a
    refused = next(t for t in texts.values() if not t.is_quotable)
    assert refused.has_personal_data
    assert "06 12 34 56 78" not in refused.masked_text


def test_a_second_start_returns_the_same_analysis(project, lead):
    source = get_source(TESTIMONIES)
    first = analysis_create_for(source=source, subject=project, by=lead)
    assert analysis_create_for(source=source, subject=project, by=lead) == first
    assert Analysis.objects.count() == 1


def test_a_surveys_open_answers_become_texts_with_their_wave(survey, lead):
    analysis = analysis_create_for(source=get_source(SURVEY), subject=survey, by=lead)

    texts = list(AnalysisText.objects.filter(analysis=analysis).order_by("pk"))
    assert [t.text for t in texts] == ["Le rappel par SMS.", "La conseillère au téléphone."]
    assert {t.wave for t in texts} == {"Avant l’expérimentation"}
    assert all(t.is_quotable and t.question_id and t.audience for t in texts)


def test_the_lead_starts_the_testimonies_analysis_from_the_testimonies_page(client, project, lead):
    client.force_login(lead)
    page = client.get(reverse("evaluation:testimonies", kwargs={"code": project.code}))
    start = reverse("analysis:source-start", kwargs={"source": TESTIMONIES, "pk": project.pk})
    assert start in page.content.decode()

    assert "2 textes à analyser" in client.get(start).content.decode()
    response = client.post(start)
    analysis = Analysis.objects.get(source=TESTIMONIES, subject_id=project.pk)
    assert response.url == analysis.get_absolute_url()
    detail = client.get(response.url).content.decode()
    assert project.code in detail  # the breadcrumbs lead back to the project
    assert client.get(start).url == analysis.get_absolute_url()  # opened once created


def test_the_lead_starts_the_surveys_analysis_from_the_surveys_page(client, survey, lead):
    client.force_login(lead)
    page = client.get(reverse("evaluation:survey-detail", kwargs={"pk": survey.pk}))
    start = reverse("analysis:source-start", kwargs={"source": SURVEY, "pk": survey.pk})
    assert start in page.content.decode()
    assert client.post(start).status_code == 302
    analysis = Analysis.objects.get(source=SURVEY, subject_id=survey.pk)
    assert analysis.n_texts == 2
    coding = client.get(reverse("analysis:coding", kwargs={"pk": analysis.pk}))
    assert "Qu’est-ce qui vous a le plus aidé ?" in coding.content.decode()  # question filter


@pytest.mark.parametrize("persona", ["correspondent_a", "agent_b", "citizen"])
def test_people_outside_the_project_team_get_404(client, request, persona, project, lead):
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=lead)
    client.force_login(request.getfixturevalue(persona))
    start = reverse("analysis:source-start", kwargs={"source": TESTIMONIES, "pk": project.pk})
    assert client.get(start).status_code == 404
    assert client.post(start).status_code == 404
    assert client.get(analysis.get_absolute_url()).status_code == 404


def test_an_unknown_source_is_404(client, project, lab_staff):
    client.force_login(lab_staff)
    url = reverse("analysis:source-start", kwargs={"source": "inconnue", "pk": project.pk})
    assert client.get(url).status_code == 404


def test_the_lab_sees_the_analysis_and_its_results(client, project, lead, lab_staff):
    analysis = analysis_create_for(source=get_source(TESTIMONIES), subject=project, by=lead)
    client.force_login(lab_staff)
    for name in ("analysis:detail", "analysis:codebook", "analysis:coding", "analysis:results"):
        assert client.get(reverse(name, kwargs={"pk": analysis.pk})).status_code == 200, name


def test_a_surveys_results_split_by_wave(survey, lead):
    from analysis.results import build_results
    from analysis.services import code_create, codes_apply_bulk

    analysis = analysis_create_for(source=get_source(SURVEY), subject=survey, by=lead)
    code = code_create(analysis=analysis, label="Être rappelé")
    codes_apply_bulk(code=code, texts=analysis.texts.all(), by=lead)

    results = build_results(analysis, "wave")
    assert [(c.label, c.size) for c in results.columns] == [("Avant l’expérimentation", 2)]
    assert results.rows[0].count == 2
    assert results.rows[0].cells[0].count is None  # under 5 texts: masked
