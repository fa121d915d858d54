"""Questionnaire polish: a form sent back with errors has its page title start with "Erreur :"
and the focus on the error summary (a screen reader says at once that something is to correct);
the question numbers follow the questions shown (1, 2, 3, not 1, 3 when one is hidden)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ecoute.models import Question
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section, option

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_answer_with_a_missing_required_question_flags_the_title_and_focuses_the_summary(
    page, live_server, login_as, assert_accessible, citizen
):
    consultation = ConsultationFactory(title="Votre accueil")
    QuestionFactory(section=first_section(consultation), label="Votre avis ?", is_required=True)
    login_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    title = page.title()
    assert not title.startswith("Erreur")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_visible()
    expect(page).to_have_title(f"Erreur\u00a0: {title}")
    expect(summary).to_be_focused()
    assert_accessible(page)


def test_question_numbers_follow_the_questions_shown(page, live_server, login_as, citizen):
    consultation = ConsultationFactory(title="Votre accueil")
    section = first_section(consultation)
    choice = QuestionFactory(
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Satisfait ?",
        options=["Oui", "Non"],
        position=1,
    )
    QuestionFactory(
        section=section,
        label="Pourquoi ?",
        condition_question=choice,
        condition_operator=Question.Operator.EQUALS,
        condition_option=option(choice, "Non"),
        position=2,
    )
    QuestionFactory(section=section, label="Votre ville ?", position=3)
    login_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    city = page.locator(".question", has_text="Votre ville ?").locator(".question-number")
    expect(city).to_have_text("2")  # "Pourquoi ?" is hidden until "Non"
    page.get_by_label("Non", exact=True).check()
    expect(page.get_by_label("2. Pourquoi ?")).to_be_visible()
    expect(city).to_have_text("3")
