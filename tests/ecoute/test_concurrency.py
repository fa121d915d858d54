"""One answer per person holds under a burst: 20 submissions at once, each thread with its own
database connection, leave exactly one response (the others: "already answered", never a 500).
PostgreSQL only: SQLite serialises writers, so there is no race to show."""

from django.test import Client
from django.urls import reverse

from ecoute.conditions import AnswerValue
from ecoute.models import Audience, ParticipationToken, Response
from ecoute.services import AlreadyAnswered, browser_participation_key, response_submit
from tests.concurrency import RACE, run_together
from tests.ecoute.factories import option

pytestmark = RACE

THREADS = 20


def test_twenty_parallel_submissions_of_one_person_leave_exactly_one_response(
    consultation, citizen
):
    questionnaire = consultation.questionnaire
    choice = questionnaire.questions.get(kind="single_choice")
    answers = {choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,))}

    def submit():
        return response_submit(
            questionnaire=questionnaire,
            answers=answers,
            audience=Audience.CITIZEN,
            respondent=citizen,
        )

    outcomes = run_together(submit, THREADS)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 1
    assert sum(isinstance(o, Response) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyAnswered) for o in outcomes) == THREADS - 1


def test_twenty_parallel_posts_of_one_person_through_the_page_never_fail(consultation, citizen):
    choice = consultation.questionnaire.questions.get(kind="single_choice")
    url = reverse("ecoute:answer", kwargs={"slug": consultation.slug})
    data = {"etape": 1, f"q{choice.pk}": option(choice, "Oui").pk}

    def post():
        browser = Client()
        browser.force_login(citizen)
        return browser.post(url, data).status_code

    statuses = run_together(post, THREADS)
    assert Response.objects.count() == 1
    assert all(status in (200, 302) for status in statuses), statuses
    assert statuses.count(302) == 1


def test_twenty_parallel_anonymous_submissions_from_one_browser_leave_one_response(
    anonymous_consultation,
):
    questionnaire = anonymous_consultation.questionnaire
    choice = questionnaire.questions.get()
    answers = {choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,))}
    key = browser_participation_key(questionnaire, "le-meme-navigateur")

    def submit():
        return response_submit(
            questionnaire=questionnaire,
            answers=answers,
            audience=Audience.CITIZEN,
            is_anonymous=True,
            participation_keys=[key],
        )

    outcomes = run_together(submit, THREADS)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 1
    assert ParticipationToken.objects.filter(questionnaire=questionnaire).count() == 1
    assert sum(isinstance(o, AlreadyAnswered) for o in outcomes) == THREADS - 1
