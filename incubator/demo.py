"""Demo data of the incubator, through the real services: an open call for agents and partners
(its form built with écoute's questionnaire engine, a draft from the Rhône's agent), and a
decided call: the jury scored the applications, the partner's was selected (an incubated
project, with its organisation among its partners) and the Isère agent's was not, each told
why; the cohort has its calendar (kick-off, mentoring, mid-term, demo day)."""

import datetime
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import User
from ecoute.conditions import AnswerValue
from ecoute.models import Option, Question
from incubator.models import Call, Milestone
from incubator.services import (
    application_decide,
    application_save,
    application_score,
    application_submit,
    call_create,
    call_move,
    milestone_add,
)

LAB = "labo@caflab.demo"
JUROR = "correspondant.rhone@caflab.demo"
PARTNER = "partenaire@caflab.demo"
AGENT = "agent.isere@caflab.demo"
AGENT_RHONE = "agent.rhone@caflab.demo"


def _form(call: Call) -> dict[str, Question]:
    """The application form: who the project is for (required), where it stands, with whom."""
    questionnaire = call.consultation.questionnaire
    section = questionnaire.sections.get()
    public = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SHORT_TEXT,
        label="À quel public s’adresse votre projet ?",
        is_required=True,
        position=1,
    )
    stage = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Où en est votre projet ?",
        is_required=True,
        position=2,
    )
    for position, label in enumerate(
        ["Une idée", "Un premier test mené", "Un service qui fonctionne déjà"], start=1
    ):
        Option.objects.create(question=stage, label=label, position=position)
    Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.LONG_TEXT,
        label="Quels partenaires associez-vous, et comment ?",
        position=3,
    )
    return {"public": public, "stage": stage}


def _answers(questions: dict[str, Question], public: str) -> dict[int, AnswerValue]:
    first = questions["stage"].options.order_by("position")[1]
    return {
        questions["public"].pk: AnswerValue(text=public),
        questions["stage"].pk: AnswerValue(choices=(first.pk,)),
    }


def seed(stdout: TextIO) -> None:
    if Call.objects.exists():
        stdout.write("Incubateur : déjà présent.")
        return
    lab = User.objects.get(email=LAB)
    juror = User.objects.get(email=JUROR)
    partner = User.objects.get(email=PARTNER)
    agent = User.objects.get(email=AGENT)
    agent_rhone = User.objects.get(email=AGENT_RHONE)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    # A call decided last spring, its cohort under way.
    decided = call_create(
        by=lab,
        title="Incubateur 2026 : l’accès aux droits des familles",
        brief="Le CafLab accompagne pendant un an des projets locaux qui aident les familles à "
        "connaître et faire valoir leurs droits : méthodes, mentorat, tests avec les usagers.",
        eligibility="Agents des Caf et organisations partenaires (associations, entreprises de "
        "l’ESS, collectivités, établissements d’enseignement) ; un projet par candidat.",
        audience=Call.Audience.BOTH,
        opens_on=today - 150 * day,
        closes_on=today - 100 * day,
        jury=[juror, lab],
    )
    questions = _form(decided)
    decided = call_move(call=decided, by=lab, to_status=Call.Status.OPEN)
    during = today - 120 * day
    chosen = application_save(
        call=decided,
        by=partner,
        title="Les cafés des droits",
        summary="Des permanences conviviales dans les centres sociaux, animées avec des "
        "parents relais, pour parler des prestations sans rendez-vous.",
        answers=_answers(questions, "Parents isolés des quartiers prioritaires"),
        today=during,
    )
    chosen = application_submit(application=chosen, by=partner, today=during)
    other = application_save(
        call=decided,
        by=agent,
        title="Un simulateur imprimé",
        summary="Une version papier du simulateur de droits, distribuée aux guichets.",
        answers=_answers(questions, "Allocataires sans accès au numérique"),
        today=during,
    )
    other = application_submit(application=other, by=agent, today=during)
    decided = call_move(call=decided, by=lab, to_status=Call.Status.CLOSED)
    criteria = list(decided.criteria.all())
    for person in (juror, lab):
        application_score(
            application=chosen,
            juror=person,
            scores={c.pk: (5 if c.weight > 1 else 4, "") for c in criteria},
        )
        application_score(application=other, juror=person, scores={c.pk: (3, "") for c in criteria})
    chosen = application_decide(
        application=chosen,
        by=lab,
        decision="selected",
        reason="Un besoin bien documenté, des parents relais déjà engagés et un partenariat "
        "solide avec les centres sociaux.",
    )
    application_decide(
        application=other,
        by=lab,
        decision="not_selected",
        reason="Une bonne idée, déjà portée par la Cnaf au niveau national : rapprochez-vous "
        "de l’équipe du simulateur.",
    )
    call_move(call=decided, by=lab, to_status=Call.Status.DECIDED)
    cohort = chosen.cohort
    for kind, title, offset in (
        (Milestone.Kind.KICK_OFF, "Lancement de la promotion", -90),
        (Milestone.Kind.MENTORING, "Séance de mentorat : tester avec les usagers", -30),
        (Milestone.Kind.MID_TERM, "Point à mi-parcours", 15),
        (Milestone.Kind.DEMO_DAY, "Demo day de la promotion", 120),
    ):
        milestone_add(cohort=cohort, by=lab, kind=kind, title=title, on=today + offset * day)

    # A call open now; the Rhône's agent has a draft.
    open_call = call_create(
        by=lab,
        title="Incubateur 2027 : aller vers les familles",
        brief="Vous portez un projet pour aller au-devant des familles qui ne viennent pas aux "
        "guichets ? Candidatez : l’incubateur vous accompagne un an, avec une promotion de "
        "pairs, un mentor et un demo day devant le réseau.",
        eligibility="Agents des Caf et organisations partenaires de l’ESS.",
        audience=Call.Audience.BOTH,
        opens_on=today - 10 * day,
        closes_on=today + 30 * day,
        jury=[juror],
    )
    questions = _form(open_call)
    open_call = call_move(call=open_call, by=lab, to_status=Call.Status.OPEN)
    application_save(
        call=open_call,
        by=agent_rhone,
        title="Le bus des droits",
        summary="Un bus itinérant dans les communes rurales du Rhône.",
        answers={questions["public"].pk: AnswerValue(text="Familles des communes rurales")},
    )
    stdout.write("Incubateur : un appel ouvert, un appel décidé et sa promotion.")
