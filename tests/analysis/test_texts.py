"""An analysis gathers the consultation's open answers, "other, specify" and contributions as
rows, with their segment, masked, and groups identical and near-identical texts."""

import pytest

from analysis.models import Analysis, AnalysisText, SourceKind
from analysis.services import analysis_create, duplicates_group, texts_request
from ecoute.models import Audience, Contribution, Question
from tests.analysis.factories import answer_texts, consultation_with_answers, open_question
from tests.ecoute.factories import (
    ConsultationFactory,
    ContributionFactory,
    QuestionFactory,
    first_section,
)

pytestmark = pytest.mark.django_db


def test_the_texts_are_the_open_answers_others_and_contributions(lab_staff, caf_a):
    consultation = ConsultationFactory(collects_contributions=True)
    question = open_question(consultation)
    answer_texts(question, ["Plus d'accueil le samedi.", ""], audience=Audience.AGENT, caf=caf_a)
    choice = QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        allow_other=True,
        options=["Téléphone", "Guichet"],
    )
    answer = answer_texts(choice, [""])[0]
    answer.other_text = "Par mon assistante sociale"
    answer.save()
    ContributionFactory(consultation=consultation, title="Visio", text="Le soir.")
    ContributionFactory(consultation=consultation, status=Contribution.Status.REJECTED)

    analysis = analysis_create(consultation=consultation, by=lab_staff)

    assert analysis.texts_status == Analysis.TextsStatus.READY
    assert analysis.n_texts == 3
    rows = {t.source_kind: t for t in analysis.texts.all()}
    assert rows[SourceKind.ANSWER].text == "Plus d'accueil le samedi."
    assert rows[SourceKind.ANSWER].audience == Audience.AGENT
    assert rows[SourceKind.ANSWER].caf == caf_a
    assert rows[SourceKind.ANSWER].is_quotable
    assert rows[SourceKind.OTHER].text == "Par mon assistante sociale"
    assert rows[SourceKind.OTHER].question == choice
    assert rows[SourceKind.CONTRIBUTION].text == "Visio. Le soir."
    assert rows[SourceKind.CONTRIBUTION].is_quotable


def test_personal_data_is_masked_in_the_stored_copy_and_the_original_kept(lab_staff):
    consultation, _question = consultation_with_answers(
        ["Joignez-moi au 06 12 34 56 78 ou à paul.martin@free.fr"]
    )
    analysis = analysis_create(consultation=consultation, by=lab_staff)
    text = analysis.texts.get()
    assert text.has_personal_data
    assert text.masked_text == "Joignez-moi au [téléphone masqué] ou à [e-mail masqué]"
    assert "06 12 34 56 78" in text.text


def test_building_again_adds_only_the_new_answers(lab_staff):
    consultation, question = consultation_with_answers(["Un", "Deux"])
    analysis = analysis_create(consultation=consultation, by=lab_staff)
    answer_texts(question, ["Trois"])
    texts_request(analysis=analysis)
    texts_request(analysis=analysis)
    assert AnalysisText.objects.filter(analysis=analysis).count() == 3
    assert Analysis.objects.get(pk=analysis.pk).n_texts == 3


def test_one_analysis_per_consultation(lab_staff, correspondent_a):
    consultation, _question = consultation_with_answers(["Un"])
    first = analysis_create(consultation=consultation, by=lab_staff)
    assert analysis_create(consultation=consultation, by=correspondent_a) == first


def test_a_large_source_is_copied_by_a_task(
    lab_staff, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    consultation, _question = consultation_with_answers([f"Texte {n}" for n in range(5)])
    settings.ANALYSIS_INLINE_TEXTS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        analysis = analysis_create(consultation=consultation, by=lab_staff)
    assert analysis.texts_status == Analysis.TextsStatus.BUILDING
    assert analysis.texts.count() == 0
    for callback in callbacks:
        callback()
    analysis.refresh_from_db()
    assert analysis.texts_status == Analysis.TextsStatus.READY
    assert analysis.n_texts == 5


def test_identical_and_near_identical_texts_form_one_group(lab_staff):
    campaign = (
        "Nous demandons la réouverture de l'accueil de Vienne le samedi matin pour les familles."
    )
    consultation, _question = consultation_with_answers(
        [
            campaign,
            campaign.upper(),
            campaign.replace("familles", "familles !"),
            campaign.replace("Vienne", "Vienne,") + " Merci",
            "Un tout autre sujet : les courriers sont trop longs.",
        ]
    )
    analysis = analysis_create(consultation=consultation, by=lab_staff)
    texts = list(analysis.texts.order_by("pk"))
    head = texts[0]
    assert head.duplicate_of is None
    assert head.group_size == 4
    assert all(t.duplicate_of_id == head.pk for t in texts[1:4])
    assert texts[4].duplicate_of is None
    assert texts[4].group_size == 1
    assert duplicates_group(analysis=analysis) == 2  # safe to run again
