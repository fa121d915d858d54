"""Factories of the incubator's tests: a call made through the service (its form is a reserved
écoute questionnaire, with a required question and an optional one), applications drafted and
submitted through the services."""

import datetime

from django.utils import timezone

from ecoute.conditions import AnswerValue
from ecoute.models import Question
from incubator.models import Application, Call
from incubator.services import application_save, application_submit, call_create
from tests.ecoute.factories import QuestionFactory, first_section


def make_call(
    owner,
    *,
    title: str = "Incubateur 2027 : accès aux droits",
    status: str = Call.Status.OPEN,
    audience: str = Call.Audience.BOTH,
    jury=(),
    opens_in: int = -10,
    closes_in: int = 20,
) -> Call:
    """A call open from `opens_in` to `closes_in` days from today, with two questions: a
    required short text ("Votre public ?") and an optional number ("Budget ?")."""
    today = timezone.localdate()
    call = call_create(
        by=owner,
        title=title,
        brief="Des projets locaux pour l’accès aux droits.",
        eligibility="Agents des Caf et associations partenaires.",
        audience=audience,
        opens_on=today + datetime.timedelta(days=opens_in),
        closes_on=today + datetime.timedelta(days=closes_in),
        jury=jury,
    )
    section = first_section(call.consultation)
    QuestionFactory(section=section, label="Votre public ?", is_required=True, position=1)
    QuestionFactory(section=section, label="Budget ?", kind=Question.Kind.NUMBER, position=2)
    if status != Call.Status.DRAFT:
        Call.objects.filter(pk=call.pk).update(status=status)
        call.refresh_from_db()
    return call


def required_question(call: Call) -> Question:
    return call.consultation.questionnaire.questions.get(label="Votre public ?")


def full_answers(call: Call) -> dict[int, AnswerValue]:
    return {required_question(call).pk: AnswerValue(text="Familles monoparentales")}


def submitted_application(
    call: Call, applicant, *, title: str = "Un guichet mobile"
) -> Application:
    """An application drafted and submitted while the call is open (then left as it is)."""
    status = call.status
    if status != Call.Status.OPEN:
        Call.objects.filter(pk=call.pk).update(status=Call.Status.OPEN)
        call.refresh_from_db()
    application = application_save(
        call=call,
        by=applicant,
        title=title,
        summary="Aller vers les familles.",
        answers=full_answers(call),
    )
    application = application_submit(application=application, by=applicant)
    if status != Call.Status.OPEN:
        Call.objects.filter(pk=call.pk).update(status=status)
        call.refresh_from_db()
    return application
