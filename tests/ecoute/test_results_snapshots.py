# ruff: noqa: F811  (pytest fixtures imported from test_results)
"""National scale: answers carry their questionnaire and segment; results are read from stored
snapshots refreshed by a debounced task (never aggregated on the page); public pages are
cached until a consultation changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecoute import tasks
from ecoute.conditions import AnswerValue
from ecoute.models import Answer, Audience, Consultation, ResultsRefresh, ResultsSnapshot
from ecoute.public_cache import public_changed
from ecoute.results import raw_aggregates
from ecoute.services import response_submit
from ecoute.services.restitution import DecisionSpec, restitution_publish, restitution_save
from ecoute.services.results import results_refresh, results_refresh_stale
from tests.ecoute.factories import ConsultationFactory, option
from tests.ecoute.test_results import add_responses, survey  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(published_tasks):
    """The questionnaire ids of the refresh tasks published so far; none runs."""
    return lambda: [args[0] for args in published_tasks.of(tasks.refresh_results)]


def _answer(questionnaire, choice, **kwargs):
    return response_submit(
        questionnaire=questionnaire,
        answers={choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,))},
        audience=kwargs.pop("audience", Audience.CITIZEN),
        **kwargs,
    )


def test_an_answer_carries_its_questionnaire_and_segment(consultation, caf_a):
    choice = consultation.questionnaire.questions.get(kind="single_choice")
    response = _answer(consultation.questionnaire, choice, audience=Audience.AGENT, caf=caf_a)
    answer = Answer.objects.get(response=response)
    assert (answer.questionnaire_id, answer.audience, answer.caf_id) == (
        consultation.questionnaire.pk,
        Audience.AGENT,
        caf_a.pk,
    )


def test_a_submission_queues_one_refresh_while_one_is_pending(
    consultation, queued, django_capture_on_commit_callbacks
):
    questionnaire = consultation.questionnaire
    choice = questionnaire.questions.get(kind="single_choice")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(questionnaire, choice)
    with django_capture_on_commit_callbacks(execute=True):
        _answer(questionnaire, choice)
    assert queued() == [questionnaire.pk]  # debounced: the second joined the pending refresh
    assert ResultsRefresh.objects.get(questionnaire=questionnaire).is_pending
    results_refresh(questionnaire_id=questionnaire.pk)
    assert not ResultsRefresh.objects.get(questionnaire=questionnaire).is_pending
    with django_capture_on_commit_callbacks(execute=True):
        _answer(questionnaire, choice)
    assert queued() == [questionnaire.pk, questionnaire.pk]


def test_the_refresh_stores_every_shown_segment_and_never_a_small_one(survey, caf_a, caf_b):
    add_responses(survey, 5, audience=Audience.AGENT, caf=caf_a)
    add_responses(survey, 4, audience=Audience.CITIZEN, caf=caf_b)
    questionnaire = survey["scale"].questionnaire
    results_refresh(questionnaire_id=questionnaire.pk)
    stored = {s.segment_key: s.response_count for s in ResultsSnapshot.objects.all()}
    assert stored == {"": 9, "audience:agent": 5, "caf:38": 5}
    agents = ResultsSnapshot.objects.get(segment_key="audience:agent").payload
    single = survey["single_choice"]
    assert agents["options"][str(option(single, "Oui").pk)][0] == 5


def test_an_aggregate_reads_only_its_questionnaire_answers(survey, consultation):
    add_responses(survey, 2)
    questionnaire = survey["scale"].questionnaire
    with CaptureQueriesContext(connection) as ctx:
        raw_aggregates(questionnaire, group_by="audience")
    answer_queries = [q["sql"] for q in ctx.captured_queries if '"ecoute_answer"' in q["sql"]]
    assert len(answer_queries) == 3
    for sql in answer_queries:
        assert f'"ecoute_answer"."questionnaire_id" = {questionnaire.pk}' in sql
        assert "ecoute_response" not in sql  # no join through the responses


def test_the_page_reads_the_snapshot_without_aggregating_answers(
    client,
    lab_staff,
    survey,
    caf_a,
    django_assert_max_num_queries,
):
    add_responses(survey, 6, audience=Audience.AGENT, caf=caf_a)
    questionnaire = survey["scale"].questionnaire
    results_refresh(questionnaire_id=questionnaire.pk)
    add_responses(survey, 3)  # after the snapshot: shown at the next refresh
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": questionnaire.consultation.pk})
    for query in ("", "?segment=audience:agent"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url + query)
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= 8
        assert not [q for q in ctx.captured_queries if "ecoute_answer" in q["sql"]]
        assert not [q for q in ctx.captured_queries if '"ecoute_response"' in q["sql"]]
    html = response.content.decode()
    assert "Résultats au " in html
    assert "6 réponses" in html  # the snapshot's count, not the 9 answers now stored
    with django_assert_max_num_queries(6):  # the rendered body comes from the cache
        client.get(url + "?segment=audience:agent")


def test_without_a_snapshot_a_small_questionnaire_is_computed_once(client, lab_staff, survey):
    add_responses(survey, 6)
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": survey["scale"].questionnaire.consultation.pk})
    assert "6 réponses" in client.get(url).content.decode()
    assert ResultsSnapshot.objects.filter(segment_key="").count() == 1


def test_without_a_snapshot_a_large_questionnaire_says_it_is_being_computed(
    client,
    lab_staff,
    survey,
    queued,
    settings,
):
    settings.ECOUTE_RESULTS_COMPUTE_AT_VIEW_MAX = 5
    add_responses(survey, 6)
    questionnaire = survey["scale"].questionnaire
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": questionnaire.consultation.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert "en cours de calcul" in response.content.decode()
    assert queued() == [questionnaire.pk]
    assert not ResultsSnapshot.objects.exists()


def test_the_periodic_task_refreshes_stale_snapshots(survey, queued):
    add_responses(survey, 6)  # no refresh asked (their callbacks never ran)
    questionnaire = survey["scale"].questionnaire
    assert results_refresh_stale() == 1
    assert queued() == [questionnaire.pk]
    results_refresh(questionnaire_id=questionnaire.pk)
    assert results_refresh_stale() == 0


def test_the_beat_schedule_runs_the_safety_net():
    from caflab.celery import app

    entry = app.conf.beat_schedule["ecoute-refresh-stale-results"]
    assert entry["task"] == "ecoute.tasks.refresh_stale_results"
    assert entry["task"] in app.tasks


def test_the_public_list_is_cached_and_a_change_shows_at_once(client, lab_staff):
    first = ConsultationFactory(title="Première consultation", owner=lab_staff)
    url = reverse("ecoute:index")
    assert "Première consultation" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if '"ecoute_consultation"' in q["sql"]]
    ConsultationFactory(title="Deuxième consultation", owner=lab_staff)
    first.title = "Titre corrigé"
    first.save()
    html = client.get(url).content.decode()
    assert "Deuxième consultation" in html
    assert "Titre corrigé" in html
    Consultation.objects.filter(pk=first.pk).update(status=Consultation.Status.DRAFT)
    public_changed()  # what a service making a queryset update does
    assert "Titre corrigé" not in client.get(url).content.decode()


def test_the_public_restitution_is_cached_and_a_correction_shows_at_once(
    client, consultation, lab_staff
):
    restitution_save(
        consultation=consultation,
        by=lab_staff,
        synthesis="Vous attendez trop.",
        decisions=[DecisionSpec(said="Trop d'attente", done="Des rendez-vous")],
    )
    restitution_publish(consultation=consultation, by=lab_staff)
    url = reverse("ecoute:restitution", kwargs={"slug": consultation.slug})
    assert "Des rendez-vous" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if '"ecoute_decision"' in q["sql"]]
    restitution_save(
        consultation=consultation,
        by=lab_staff,
        synthesis="Vous attendez trop.",
        decisions=[DecisionSpec(said="Trop d'attente", done="Un accueil sans attente")],
    )
    html = client.get(url).content.decode()
    assert "Un accueil sans attente" in html
    assert "Des rendez-vous" not in html
