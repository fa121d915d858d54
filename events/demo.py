"""Demo events, through the real services: two trainings held this year (registrations, a
waiting list, attendance taken, so the yearly figures show), an upcoming national training
with seats left, a webinar for the whole network, a debate for the Isère and Rhône Caf, a draft
workshop of the Isère correspondent and a cancelled learning expedition. The first training's
satisfaction questionnaire (écoute's engine) is sent and answered by eight of those who came.

Past registrations are made at their time (`now=`), as the services allow; it runs once
(skipped when events exist).
"""

import datetime
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import Role, User
from caflab.network.models import Caf, Programme, Theme
from ecoute.conditions import AnswerValue
from ecoute.services import consultation_answer
from events import satisfaction, services
from events.models import Event

LAB = "labo@caflab.demo"
CORRESPONDENT = "correspondant.isere@caflab.demo"
PEOPLE = [
    "agent.isere@caflab.demo",
    "agent.rhone@caflab.demo",
    "correspondant.isere@caflab.demo",
    "correspondant.rhone@caflab.demo",
    "direction@caflab.demo",
]
# Demo trainees of a few Caf, so that the figures per Caf have several rows.
TRAINEE_CAFS = ["38", "69", "13", "33", "59", "974"]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _event(by: User, *, days: int, hour: int = 9, hours: int = 3, **fields) -> Event:
    start = _at(days, hour)
    themes = fields.pop("themes", ())
    cafs = fields.pop("cafs", ())
    fields.setdefault("seats", 20)
    fields.setdefault("registration_opens_at", start - datetime.timedelta(days=30))
    fields.setdefault("registration_closes_at", start - datetime.timedelta(hours=12))
    event = Event(starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **fields)
    return services.event_save(event=event, by=by, themes=themes, cafs=cafs)


def _trainees() -> list[User]:
    people = []
    for code in TRAINEE_CAFS:
        caf = Caf.objects.get(code=code)
        for number in (1, 2):
            email = f"stagiaire{number}.{code}@caflab.demo"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    first_name=f"Stagiaire {number}",
                    last_name=f"Caf {code}",
                    role=Role.AGENT,
                    caf=caf,
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
            people.append(user)
    return people


def _held(lab: User, people: list[User], *, days: int, seats: int, absent: int, **fields) -> Event:
    event = _event(lab, days=days, seats=seats, **fields)
    services.event_publish(event=event, by=lab)
    for person in people:
        services.registration_create(
            event=event, user=person, now=event.registration_opens_at + datetime.timedelta(days=1)
        )
    confirmed = list(event.registrations.filter(status="confirmed").order_by("pk"))
    present = [r.pk for r in confirmed[absent:]]
    services.attendance_record(event=event, present_ids=present, by=lab)
    return event


# What the people who came to the first training said (rating, usefulness, what to improve).
OPINIONS = [
    (5, 0, "Plus d'exercices sur de vrais courriers."),
    (4, 0, ""),
    (4, 1, "Une demi-journée de plus pour le prototype."),
    (5, 0, ""),
    (3, 1, "Trop de théorie au début."),
    (4, 0, "Partager les supports avant la séance."),
    (5, 1, ""),
    (2, 2, "Le lien de visio ne marchait pas pour tous."),
]


def _satisfaction(event: Event, lab: User) -> None:
    """The lab sends the satisfaction questionnaire; eight of the people who came answer it
    through écoute's answering service (enough for the results to show)."""
    sent = satisfaction.satisfaction_send(event=event, by=lab)
    satisfaction.satisfaction_invite(satisfaction_id=sent.pk)
    consultation = sent.consultation
    questions = list(consultation.questionnaire.questions.order_by("position", "pk"))
    rating, useful, improve = questions[:3]
    options = list(useful.options.order_by("position", "pk"))
    came = satisfaction.attendees(event).order_by("pk")
    for person, (score, choice, text) in zip(came, OPINIONS, strict=False):
        answers = {
            rating.pk: AnswerValue(number=Decimal(score)),
            useful.pk: AnswerValue(choices=(options[choice].pk,)),
        }
        if text:
            answers[improve.pk] = AnswerValue(text=text)
        consultation_answer(consultation=consultation, answers=answers, user=person)


def seed(stdout: TextIO) -> None:
    if Event.objects.exists():
        stdout.write("Événements : déjà présents.")
        return
    lab = User.objects.get(email=LAB)
    correspondent = User.objects.get(email=CORRESPONDENT)
    people = [User.objects.get(email=email) for email in PEOPLE] + _trainees()
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    some_themes = list(themes.values())[:2]
    # The ecological-transition programme's page lists its events.
    programme = (
        Programme.objects.filter(requires_ecological_assessment=True).first()
        or Programme.objects.first()
    )
    isere, rhone = Caf.objects.get(code="38"), Caf.objects.get(code="69")
    # Held this year (twenty days ago at most; in early January, the days before).
    early = -min(20, max(timezone.localdate().timetuple().tm_yday - 1, 1))
    training = _held(
        lab,
        people,
        days=early,
        seats=12,
        absent=2,
        kind=Event.Kind.TRAINING,
        title="Initiation au design de service",
        description="Une matinée pour découvrir les méthodes du CafLab : enquête, idéation, prototype.",
        place="Cnaf, 32 avenue de la Sibelle, 75014 Paris",
        themes=some_themes,
    )
    _satisfaction(training, lab)
    workshop = _held(
        lab,
        people[5:],
        days=-3,
        seats=6,
        absent=1,
        kind=Event.Kind.WORKSHOP,
        title="Atelier prototypage rapide",
        description="Construire en deux heures un prototype papier d'un nouveau courrier.",
        online_url="https://visio.caflab.demo/prototypage",
        programme=programme,
    )
    # What came out of it: a synthesis and two proposals, each of which may become an idea.
    services.synthesis_save(
        event=workshop,
        by=lab,
        synthesis=(
            "Les participants ont réécrit le courrier de fin de droits : une phrase d'action en "
            "tête, les dates en gras, un seul numéro à appeler."
        ),
    )
    for text in (
        "Tester le nouveau courrier de fin de droits avec dix allocataires.",
        "Un seul numéro à appeler, imprimé en tête de chaque courrier.",
    ):
        services.proposal_add(event=workshop, by=lab, text=text)
    upcoming = _event(
        lab,
        days=14,
        seats=3,
        kind=Event.Kind.TRAINING,
        title="Animer une séance de créativité",
        description="Formation des correspondants et des agents à l'animation d'une séance de créativité.",
        place="Caf de l'Isère, 3 rue des Alliés, 38000 Grenoble",
        online_url="https://visio.caflab.demo/creativite",
        themes=some_themes,
        registration_opens_at=timezone.now() - datetime.timedelta(days=2),
    )
    services.event_publish(event=upcoming, by=lab)
    for person in people[:4]:  # three seats: the fourth waits
        services.registration_create(event=upcoming, user=person)
    webinar = _event(
        lab,
        days=7,
        hour=11,
        hours=1,
        seats=300,
        kind=Event.Kind.WEBINAR,
        title="Webinaire : la participation des usagers",
        description="Retour d'expérience de la Caf à votre écoute, questions et réponses.",
        online_url="https://visio.caflab.demo/webinaire-usagers",
        registration_opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    services.event_publish(event=webinar, by=lab)
    debate = _event(
        lab,
        days=21,
        hour=14,
        kind=Event.Kind.DEBATE,
        title="Débat : l'accueil sans rendez-vous",
        description="Les Caf de l'Isère et du Rhône confrontent leurs pratiques d'accueil.",
        place="Caf du Rhône, Lyon",
        audience=Event.Audience.CAFS,
        cafs=[isere, rhone],
        registration_opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    services.event_publish(event=debate, by=lab)
    _event(
        correspondent,
        days=30,
        kind=Event.Kind.WORKSHOP,
        title="Atelier local : simplifier nos courriers",
        description="Brouillon du correspondant de l'Isère.",
        place="Caf de l'Isère, Grenoble",
        caf=isere,
    )
    expedition = _event(
        lab,
        days=40,
        kind=Event.Kind.EXPEDITION,
        title="Expédition apprenante au Lab Parentalité",
        description="Une journée à Grenoble avec la communauté du Lab Parentalité.",
        place="Grenoble",
    )
    services.event_publish(event=expedition, by=lab)
    services.event_cancel(event=expedition, by=lab, reason="Reportée au printemps.")
    stdout.write(f"Événements : {Event.objects.count()} créés.")
