"""A single-use invitation holds under a burst: the same link used by 10 threads at once (each
with its own database connection) stores exactly one answer; the others are "already
answered", never a 500. PostgreSQL only: SQLite serialises writers."""

from ecoute.conditions import AnswerValue
from ecoute.models import Response
from ecoute.services import AlreadyAnswered
from evaluation.models import SurveyInvitation, SurveyWave
from evaluation.services.participation import invitation_token_hash, survey_answer
from tests.concurrency import RACE, run_together, unexpected
from tests.evaluation.factories import SurveyWaveFactory, make_survey

pytestmark = RACE

THREADS = 10


def test_ten_parallel_uses_of_one_invitation_leave_one_answer():
    survey = make_survey(questions=1)
    wave = SurveyWaveFactory(survey=survey)
    SurveyInvitation.objects.create(
        wave=wave, email="x@example.org", token_hash=invitation_token_hash("jeton")
    )
    question = survey.questionnaire.questions.get()
    answers = {question.pk: AnswerValue(number=4)}

    outcomes = run_together(lambda: survey_answer(token="jeton", answers=answers), THREADS)
    assert not unexpected(outcomes, SurveyWave, AlreadyAnswered)
    assert sum(isinstance(o, SurveyWave) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, AlreadyAnswered) for o in outcomes) == THREADS - 1, outcomes
    assert Response.objects.count() == 1
    assert SurveyInvitation.objects.get().email == ""
