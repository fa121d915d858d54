"""A small world with one public item of each kind and, beside each, what must never be
published: drafts, private items, an agents-only consultation, an unpublished contribution,
free-text answers, contacts, names and e-mails, and a published initiative presented at a
criée (the network's members only see them) (their texts in SECRETS)."""

import pytest
from django.utils import timezone

from caflab.network.models import Caf
from ecoute.conditions import AnswerValue
from ecoute.models import Audience, Consultation, Decision, Question
from ecoute.services import response_submit
from events.models import Event
from projects.models import Deployment, StageChange
from tests.accounts.factories import UserFactory
from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
from tests.ecoute.factories import (
    ConsultationFactory,
    ContributionFactory,
    QuestionFactory,
    RestitutionFactory,
    first_section,
    option,
)
from tests.events.factories import EventFactory
from tests.projects.factories import ProjectFactory

SECRETS = (
    "Projet brouillon confidentiel",
    "Projet interne au réseau",
    "Initiative brouillon confidentielle",
    "Initiative publiée réservée au réseau",
    "Criée réservée au réseau",
    "Joindre Mme Contactée au standard",
    "Consultation réservée aux agents",
    "Consultation encore en brouillon",
    "Commentaire libre numéro",
    "Courrier papier précisé",
    "Contribution en attente de modération",
    "Synthèse jamais publiée",
    "Formation interne au réseau",
    "Événement public en brouillon",
)


def survey(consultation: Consultation) -> dict[str, Question]:
    section = first_section(consultation)
    return {
        "single": QuestionFactory(
            section=section,
            kind=Question.Kind.SINGLE_CHOICE,
            label="Êtes-vous satisfait ?",
            options=["Oui", "Non"],
        ),
        "text": QuestionFactory(section=section, kind=Question.Kind.LONG_TEXT, label="Pourquoi ?"),
        "multiple": QuestionFactory(
            section=section,
            kind=Question.Kind.MULTIPLE_CHOICE,
            label="Vos canaux",
            allow_other=True,
            options=["Téléphone", "Accueil"],
        ),
        "scale": QuestionFactory(
            section=section, kind=Question.Kind.SCALE, label="Votre note", scale_min=1, scale_max=5
        ),
    }


def answer(questions: dict[str, Question], n: int) -> None:
    for i in range(n):
        response_submit(
            questionnaire=questions["single"].questionnaire,
            answers={
                questions["single"].pk: AnswerValue(
                    choices=(option(questions["single"], "Oui").pk,)
                ),
                questions["text"].pk: AnswerValue(text=f"Commentaire libre numéro {i}"),
                questions["multiple"].pk: AnswerValue(
                    choices=(option(questions["multiple"], "Accueil").pk,),
                    other="Courrier papier précisé" if i % 2 else "",
                ),
                questions["scale"].pk: AnswerValue(number=4),
            },
            audience=Audience.CITIZEN,
        )


def results_published(consultation: Consultation) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(
        status=Consultation.Status.RESULTS_PUBLISHED, closes_at=timezone.now()
    )


@pytest.fixture
def public_world(db, lab_staff) -> dict:
    isere = Caf.objects.get(code="38")
    lead = UserFactory(lab=True, first_name="Philomène", last_name="Porteuseduprojet")
    agent = UserFactory(first_name="Anatole", last_name="Agentdelacaf")
    citizen = UserFactory(citizen=True, first_name="Célestine", last_name="Citoyennetémoin")

    public_project = ProjectFactory(is_public=True, lead=lead, title="Rendez-vous des droits")
    Deployment.objects.create(project=public_project, caf=isere, status="running")
    StageChange.objects.create(project=public_project, from_stage="idea", to_stage="creativity")
    ProjectFactory(is_draft=True, lead=lead, title="Projet brouillon confidentiel")
    hidden = ProjectFactory(lead=lead, title="Projet interne au réseau")
    StageChange.objects.create(project=hidden, from_stage="idea", to_stage="prototype")

    initiative = InitiativeFactory(
        created_by=agent,
        project=public_project,
        title="Initiative publiée réservée au réseau",
        contact="Joindre Mme Contactée au standard",
    )
    draft_initiative = InitiativeFactory(
        created_by=agent, status="draft", title="Initiative brouillon confidentielle"
    )
    criee = CrieeFactory(title="Criée réservée au réseau")
    PitchFactory(criee=criee, initiative=initiative)
    PitchFactory(criee=criee, initiative=draft_initiative, status="proposed", position=None)

    consultation = ConsultationFactory(owner=lab_staff, title="Votre accueil")
    answer(survey(consultation), 6)
    ContributionFactory(
        consultation=consultation,
        author=citizen,
        status="pending",
        published_at=None,
        text="Contribution en attente de modération",
    )
    results_published(consultation)
    restitution = RestitutionFactory(consultation=consultation)
    Decision.objects.create(
        restitution=restitution,
        said="Attendre moins",
        done="Accueil sur rendez-vous",
        project=public_project,
    )
    small = ConsultationFactory(owner=lab_staff, title="Petite consultation")
    answer(survey(small), 4)
    results_published(small)
    agents_only = ConsultationFactory(
        owner=lab_staff, title="Consultation réservée aux agents", access="agents"
    )
    RestitutionFactory(
        consultation=agents_only,
        synthesis="Synthèse jamais publiée",
        status="draft",
        published_at=None,
    )
    ConsultationFactory(
        owner=lab_staff,
        title="Consultation encore en brouillon",
        status="draft",
        opens_at=None,
        closes_at=None,
    )

    public_event = EventFactory(audience=Event.Audience.CITIZENS, organisers=[lead])
    EventFactory(title="Formation interne au réseau")
    EventFactory(
        audience=Event.Audience.CITIZENS, status="draft", title="Événement public en brouillon"
    )
    return {
        "public_project": public_project,
        "initiative": initiative,
        "criee": criee,
        "consultation": consultation,
        "small": small,
        "public_event": public_event,
        "people": [lead, agent, citizen, lab_staff],
    }
