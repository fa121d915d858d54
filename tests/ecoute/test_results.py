"""Results aggregated by the database: counts per option, distribution and mean for scales,
ranks, free texts for staff; segments by audience and Caf, masked below 5 responses; and a
results page whose query count does not grow with the number of answers."""

import pytest
from django.urls import reverse

from ecoute.conditions import AnswerValue
from ecoute.models import Audience, Question
from ecoute.results import Segment, questionnaire_results, response_groups
from ecoute.services import response_submit
from ecoute.services.results import results_refresh
from tests.ecoute.factories import QuestionFactory, first_section, option
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(consultation):
    """Single choice (Oui/Non), long text, a multiple choice with "other", a 1-5 scale and a
    ranking."""
    section = first_section(consultation)
    questions = {q.kind: q for q in consultation.questionnaire.questions.all()}
    questions["multiple_choice"] = QuestionFactory(
        section=section,
        kind=Question.Kind.MULTIPLE_CHOICE,
        label="Vos canaux",
        allow_other=True,
        options=["Téléphone", "Courriel", "Accueil"],
    )
    questions["scale"] = QuestionFactory(
        section=section,
        kind=Question.Kind.SCALE,
        label="Votre note",
        scale_min=1,
        scale_max=5,
        scale_min_label="Très mauvais",
        scale_max_label="Excellent",
    )
    questions["ranking"] = QuestionFactory(
        section=section, kind=Question.Kind.RANKING, label="Priorités", options=["A", "B"]
    )
    return questions


def add_responses(survey, n: int, *, audience=Audience.CITIZEN, caf=None, yes=True, note=4):
    q = survey
    choice = q["single_choice"]
    for i in range(n):
        response_submit(
            questionnaire=choice.questionnaire,
            answers={
                choice.pk: AnswerValue(choices=(option(choice, "Oui" if yes else "Non").pk,)),
                q["long_text"].pk: AnswerValue(text=f"Commentaire {i}"),
                q["multiple_choice"].pk: AnswerValue(
                    choices=(option(q["multiple_choice"], "Téléphone").pk,),
                    other="Courrier" if i % 2 else "",
                ),
                q["scale"].pk: AnswerValue(number=note),
                q["ranking"].pk: AnswerValue(
                    ranks={option(q["ranking"], "A").pk: 1, option(q["ranking"], "B").pk: 2}
                ),
            },
            audience=audience,
            caf=caf,
        )


def by_kind(results):
    return {r.question.kind: r for r in results}


def test_counts_per_option_percentages_and_other(survey):
    add_responses(survey, 3, yes=True)
    add_responses(survey, 1, yes=False)
    results = by_kind(questionnaire_results(survey["single_choice"].questionnaire))
    single = results["single_choice"]
    assert single.answered == 4
    assert [(r.label, r.count, r.percent) for r in single.options] == [
        ("Oui", 3, 75.0),
        ("Non", 1, 25.0),
    ]
    multiple = results["multiple_choice"]
    assert [(r.label, r.count) for r in multiple.options] == [
        ("Téléphone", 4),
        ("Courriel", 0),
        ("Accueil", 0),
        ("Autre", 1),
    ]
    assert multiple.options[-1].is_other
    assert multiple.has_free_text


def test_scales_give_their_distribution_and_mean(survey):
    add_responses(survey, 2, note=5)
    add_responses(survey, 2, note=2)
    scale = by_kind(questionnaire_results(survey["scale"].questionnaire))["scale"]
    assert scale.mean == 3.5
    assert scale.distribution == [
        ("1 – Très mauvais", 0),
        ("2", 2),
        ("3", 0),
        ("4", 0),
        ("5 – Excellent", 2),
    ]
    assert scale.chart.rows[4].value == 2


def test_rankings_give_the_mean_rank_and_the_firsts(survey):
    add_responses(survey, 3)
    ranking = by_kind(questionnaire_results(survey["ranking"].questionnaire))["ranking"]
    assert [(r.label, r.count, r.mean_rank) for r in ranking.options] == [
        ("A", 3, 1.0),
        ("B", 0, 2.0),
    ]


def test_groups_smaller_than_five_are_masked(survey, caf_a, caf_b):
    add_responses(survey, 5, audience=Audience.AGENT, caf=caf_a)
    add_responses(survey, 4, audience=Audience.CITIZEN, caf=caf_b, yes=False)
    groups = response_groups(survey["scale"].questionnaire)
    assert groups.total == 9
    assert [(g.segment.value, g.count, g.is_masked) for g in groups.by_audience] == [
        ("agent", 5, False),
        ("citizen", 4, True),
    ]
    assert [(g.segment.value, g.is_masked) for g in groups.by_caf] == [("38", False), ("69", True)]


def test_the_results_of_a_segment_count_only_its_responses(survey, caf_a):
    add_responses(survey, 5, audience=Audience.AGENT, caf=caf_a, yes=True)
    add_responses(survey, 6, yes=False)
    agents = Segment("audience", "agent", "Agent")
    single = by_kind(questionnaire_results(survey["scale"].questionnaire, agents))["single_choice"]
    assert [(r.label, r.count) for r in single.options] == [("Oui", 5), ("Non", 0)]


def test_the_results_page_masks_a_small_group_with_its_reason(client, lab_staff, survey, caf_b):
    add_responses(survey, 6)
    add_responses(survey, 2, audience=Audience.AGENT, caf=caf_b)
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": survey["scale"].questionnaire.consultation.pk})
    html = client.get(url).content.decode()
    assert "moins de 5 réponses\u00a0: masqué" in html
    assert "<svg" in html
    assert "(données du graphique)" in html
    masked = client.get(url, {"segment": "audience:agent"})
    assert masked.context["masked"]
    assert masked.context["results"] == []
    assert "moins de 5 réponses\u00a0: masqué" in masked.content.decode()
    assert client.get(url, {"segment": "caf:69"}).context["masked"]
    assert client.get(url, {"segment": "audience:citizen"}).context["results"]
    assert client.get(url, {"segment": "caf:01"}).status_code == 404


def test_staff_read_free_texts_page_by_page_without_respondents(client, lab_staff, survey, citizen):
    add_responses(survey, 30)
    client.force_login(lab_staff)
    url = reverse("ecoute:free-text", kwargs={"pk": survey["long_text"].pk})
    first = client.get(url)
    assert len(first.context["page_obj"].object_list) == 25
    assert "Page 1 sur 2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["page_obj"].object_list) == 5
    other = client.get(reverse("ecoute:free-text", kwargs={"pk": survey["multiple_choice"].pk}))
    assert {a.other_text for a in other.context["page_obj"].object_list} == {"Courrier"}


def add_and_refresh(survey, n, **kwargs):
    """Responses, then the refresh their submission queues once committed."""
    add_responses(survey, n, **kwargs)
    results_refresh(questionnaire_id=survey["scale"].questionnaire_id)


def test_the_results_page_costs_a_fixed_number_of_queries(client, lab_staff, survey, caf_a):
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": survey["scale"].questionnaire.consultation.pk})
    # session, user, unread notifications; the consultation; its stored snapshots; the
    # questions' version; after a refresh, the questions and their options (to label them).
    # No aggregate over the answers: the page reads the snapshot.
    assert_flat_query_count(
        client,
        url,
        lambda n: add_and_refresh(survey, n, audience=Audience.AGENT, caf=caf_a),
        sizes=(6, 40),
        expected=8,
    )


def test_a_segment_of_the_results_page_costs_the_same(client, lab_staff, survey, caf_a):
    client.force_login(lab_staff)
    url = reverse("ecoute:results", kwargs={"pk": survey["scale"].questionnaire.consultation.pk})
    assert_flat_query_count(
        client,
        f"{url}?segment=caf:38",
        lambda n: add_and_refresh(survey, n, audience=Audience.AGENT, caf=caf_a),
        sizes=(6, 40),
        expected=8,
    )


def test_group_counts_are_written_with_thousands_grouped():
    from django.template.loader import render_to_string

    from ecoute.results import groups_from_raw

    groups = groups_from_raw({"audience": [["citizen", 1624], ["agent", 376]], "caf": []})
    assert groups.total == 2000
    html = render_to_string(
        "ecoute/includes/results_body.html",
        {"groups": groups, "results": [], "min_group_size": 5, "masked": False},
    )
    assert "1\u00a0624" in html or "1\u202f624" in html  # never "1624"
    assert "1624" not in html
