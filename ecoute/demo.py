"""Demo consultations: a closed public questionnaire with about 2,000 answers (its results and
exports to try), an open public consultation answerable anonymously with conditional questions,
an agents-only consultation, and a draft of the Isère Caf.

Answers are bulk-created (a few seconds), not sent through the answering flow; each consultation
is skipped when its slug exists, so the seed runs twice safely.
"""

import datetime
import random
import uuid
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import User
from caflab.network.models import Caf
from ecoute import demo_contributions
from ecoute.models import (
    Answer,
    AnswerChoice,
    Audience,
    Consultation,
    Decision,
    EligibilityQuestion,
    HearBackRequest,
    Option,
    Question,
    Questionnaire,
    Recruitment,
    Registration,
    Response,
    Restitution,
    Section,
)
from ecoute.services.decisions import decision_update
from ecoute.services.restitution import restitution_reminders_send
from projects.models import Project

Kind = Question.Kind
D = Decision.Status
Status = Consultation.Status
CLOSED_ANSWERS = 2000
PRIVACY = {
    "privacy_purpose": "Recueillir l'avis des usagers et des agents pour améliorer le service rendu par les Caf.",
    "privacy_contact": "dpo@caf.example",
}


def _questionnaire(
    consultation: Consultation, sections: list[tuple[str, list[dict]]]
) -> dict[str, Question]:
    """Create the questionnaire; each question dict: key, kind, label, options=[…], and fields."""
    questionnaire = Questionnaire.objects.create(
        consultation=consultation, title=consultation.title
    )
    questions: dict[str, Question] = {}
    for s_position, (title, specs) in enumerate(sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire, title=title, position=s_position
        )
        for q_position, spec in enumerate(specs, start=1):
            spec = dict(spec)
            key, options = spec.pop("key"), spec.pop("options", [])
            condition = spec.pop("condition", None)
            question = Question(
                questionnaire=questionnaire, section=section, position=q_position, **spec
            )
            if condition:
                source_key, operator, option_label = condition
                source = questions[source_key]
                question.condition_question = source
                question.condition_operator = operator
                if option_label:
                    question.condition_option = source.options.get(label=option_label)
            question.save()
            for o_position, label in enumerate(options, start=1):
                Option.objects.create(question=question, label=label, position=o_position)
            questions[key] = question
    return questions


def _closed_consultation(lab: User, cafs: list[Caf], now: datetime.datetime) -> None:
    consultation = Consultation.objects.create(
        title="Votre accueil à la Caf",
        slug="votre-accueil-a-la-caf",
        summary="Comment s'est passé votre dernier contact avec la Caf ? Vos réponses aident à repenser l'accueil.",
        body="Cette consultation nationale a recueilli l'avis des allocataires et des agents d'accueil sur le dernier contact avec leur Caf : au guichet, au téléphone ou en ligne.",
        audience=Consultation.Audience.BOTH,
        allow_anonymous=True,
        status=Status.CLOSED,
        opens_at=now - datetime.timedelta(days=75),
        closes_at=now - datetime.timedelta(days=15),
        status_changed_at=now - datetime.timedelta(days=15),
        owner=lab,
        **PRIVACY,
    )
    project = Project.objects.filter(title="Accueil sans rendez-vous repensé").first()
    if project:
        consultation.projects.add(project)
    q = _questionnaire(
        consultation,
        [
            (
                "Votre dernier contact",
                [
                    {
                        "key": "channel",
                        "kind": Kind.SINGLE_CHOICE,
                        "label": "Comment avez-vous contacté la Caf la dernière fois ?",
                        "is_required": True,
                        "allow_other": True,
                        "options": [
                            "À l'accueil",
                            "Par téléphone",
                            "Sur caf.fr ou l'appli",
                            "Par courrier",
                        ],
                    },
                    {
                        "key": "satisfaction",
                        "kind": Kind.SCALE,
                        "label": "Êtes-vous satisfait de la réponse obtenue ?",
                        "is_required": True,
                        "scale_min": 1,
                        "scale_max": 5,
                        "scale_min_label": "Pas du tout satisfait",
                        "scale_max_label": "Très satisfait",
                    },
                    {
                        "key": "helped",
                        "kind": Kind.MULTIPLE_CHOICE,
                        "label": "Qu'est-ce qui vous a le plus aidé ?",
                        "max_choices": 2,
                        "allow_other": True,
                        "options": [
                            "L'écoute de l'agent",
                            "La rapidité",
                            "Des explications claires",
                            "Un rendez-vous proposé",
                        ],
                    },
                ],
            ),
            (
                "Vos priorités",
                [
                    {
                        "key": "ranking",
                        "kind": Kind.RANKING,
                        "label": "Classez ces améliorations, de la plus à la moins importante",
                        "options": [
                            "Moins d'attente",
                            "Des courriers plus clairs",
                            "Un interlocuteur unique",
                        ],
                    },
                    {
                        "key": "contacts",
                        "kind": Kind.NUMBER,
                        "label": "Combien de fois avez-vous contacté la Caf ce mois-ci ?",
                        "number_min": Decimal(0),
                        "number_max": Decimal(30),
                    },
                    {
                        "key": "improve",
                        "kind": Kind.LONG_TEXT,
                        "label": "Que devrions-nous améliorer en priorité ?",
                    },
                ],
            ),
        ],
    )
    rng = random.Random(2026)
    options = {key: list(q[key].options.all()) for key in ("channel", "helped", "ranking")}
    texts = [
        "Pouvoir joindre quelqu'un sans attendre une heure au téléphone.",
        "Des courriers que l'on comprend du premier coup.",
        "Garder le même conseiller pour tout le dossier.",
        "Être prévenu quand le dossier avance.",
        "Un accueil sans rendez-vous le samedi matin.",
        "Moins de pièces justificatives à renvoyer.",
    ]
    start = (now - datetime.timedelta(days=75)).date()
    responses, answers, picks = [], [], []
    for _ in range(CLOSED_ANSWERS):
        is_agent = rng.random() < 0.2
        assisted = not is_agent and rng.random() < 0.05
        response = Response(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            questionnaire=q["channel"].questionnaire,
            is_anonymous=not assisted,
            is_assisted=assisted,
            audience=Audience.AGENT if is_agent else Audience.CITIZEN,
            caf=rng.choice(cafs) if (is_agent or rng.random() < 0.7) else None,
            submitted_on=start + datetime.timedelta(days=min(59, int(rng.expovariate(1 / 12)))),
        )
        responses.append(response)
        channel = rng.choices(options["channel"] + [None], weights=[35, 35, 25, 4, 1])[0]
        channel_answer = Answer(
            response=response,
            question=q["channel"],
            other_text="" if channel else "Par un travailleur social",
        )
        answers.append(channel_answer)
        if channel:
            picks.append(AnswerChoice(answer=channel_answer, option=channel))
        note = rng.choices([1, 2, 3, 4, 5], weights=[8, 12, 25, 35, 20])[0]
        answers.append(
            Answer(response=response, question=q["satisfaction"], value_number=Decimal(note))
        )
        if rng.random() < 0.8:
            helped = Answer(
                response=response,
                question=q["helped"],
                other_text="Mon assistante sociale" if rng.random() < 0.03 else "",
            )
            answers.append(helped)
            for option in rng.sample(options["helped"], rng.randint(1, 2)):
                picks.append(AnswerChoice(answer=helped, option=option))
        if rng.random() < 0.6:
            ranking = Answer(response=response, question=q["ranking"])
            answers.append(ranking)
            for rank, option in enumerate(rng.sample(options["ranking"], 3), start=1):
                picks.append(AnswerChoice(answer=ranking, option=option, rank=rank))
        if rng.random() < 0.5:
            answers.append(
                Answer(
                    response=response,
                    question=q["contacts"],
                    value_number=Decimal(rng.randint(0, 6)),
                )
            )
        if rng.random() < 0.3:
            answers.append(
                Answer(response=response, question=q["improve"], value_text=rng.choice(texts))
            )
    Response.objects.bulk_create(responses, batch_size=1000)
    for answer in answers:
        answer.copy_response_columns(answer.response)
    Answer.objects.bulk_create(answers, batch_size=2000)
    for pick in picks:
        pick.answer_id = pick.answer.pk
    AnswerChoice.objects.bulk_create(picks, batch_size=2000)
    HearBackRequest.objects.bulk_create(
        HearBackRequest(
            questionnaire=q["channel"].questionnaire,
            email=f"usager{n}@example.org",
            created_on=start,
        )
        for n in range(1, 41)
    )


def _open_consultation(lab: User, now: datetime.datetime) -> None:
    consultation = Consultation.objects.create(
        title="Vos démarches en ligne sur caf.fr",
        slug="vos-demarches-en-ligne",
        summary="Avez-vous réussi votre dernière démarche en ligne ? Dites-nous ce qui vous a aidé et ce qui vous a bloqué.",
        body="Cinq minutes, sans compte et de façon anonyme : vos réponses orienteront la refonte des démarches en ligne.",
        audience=Consultation.Audience.CITIZENS,
        allow_anonymous=True,
        status=Status.OPEN,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=40),
        status_changed_at=now - datetime.timedelta(days=3),
        owner=lab,
        **PRIVACY,
    )
    project = Project.objects.filter(title="Médiation numérique en tiers-lieux").first()
    if project:
        consultation.projects.add(project)
    _questionnaire(
        consultation,
        [
            (
                "Votre dernière démarche",
                [
                    {
                        "key": "done",
                        "kind": Kind.SINGLE_CHOICE,
                        "label": "Avez-vous réussi votre dernière démarche en ligne ?",
                        "is_required": True,
                        "options": ["Oui", "En partie", "Non"],
                    },
                    {
                        "key": "blocked",
                        "kind": Kind.LONG_TEXT,
                        "label": "Qu'est-ce qui vous a bloqué ?",
                        "help_text": "Une étape, un mot, un document demandé…",
                        "condition": ("done", Question.Operator.EQUALS, "Non"),
                    },
                    {
                        "key": "ease",
                        "kind": Kind.SCALE,
                        "label": "Était-ce facile ?",
                        "scale_min": 0,
                        "scale_max": 10,
                        "scale_min_label": "Très difficile",
                        "scale_max_label": "Très facile",
                    },
                ],
            ),
            (
                "Vos usages",
                [
                    {
                        "key": "procedures",
                        "kind": Kind.MULTIPLE_CHOICE,
                        "label": "Quelles démarches faites-vous en ligne ?",
                        "allow_other": True,
                        "options": [
                            "Déclarer mes ressources",
                            "Signaler un changement",
                            "Demander une aide",
                            "Consulter mes paiements",
                        ],
                    },
                    {
                        "key": "wish",
                        "kind": Kind.SHORT_TEXT,
                        "label": "Qu'aimeriez-vous pouvoir faire en ligne, en plus ?",
                        "condition": ("done", Question.Operator.EQUALS, "Oui"),
                    },
                    {
                        "key": "consent",
                        "kind": Kind.CONSENT,
                        "label": "J'accepte que la Caf me propose de tester la nouvelle démarche (en laissant mon adresse à la fin).",
                    },
                ],
            ),
        ],
    )


def _agents_consultation(lab: User, now: datetime.datetime) -> None:
    consultation = Consultation.objects.create(
        title="Vos outils de travail au quotidien",
        slug="vos-outils-de-travail",
        summary="Agents des Caf : quels outils vous font gagner du temps, lesquels vous en font perdre ?",
        audience=Consultation.Audience.AGENTS,
        access=Consultation.Access.AGENTS,
        status=Status.OPEN,
        opens_at=now - datetime.timedelta(days=7),
        closes_at=now + datetime.timedelta(days=21),
        status_changed_at=now - datetime.timedelta(days=7),
        owner=lab,
        **PRIVACY,
    )
    _questionnaire(
        consultation,
        [
            (
                "Vos outils",
                [
                    {
                        "key": "tool",
                        "kind": Kind.SINGLE_CHOICE,
                        "label": "Quel outil utilisez-vous le plus ?",
                        "display": Question.Display.LIST,
                        "is_required": True,
                        "options": [
                            "Le dossier allocataire",
                            "La messagerie",
                            "L'agenda des rendez-vous",
                            "La base documentaire",
                        ],
                    },
                    {
                        "key": "time",
                        "kind": Kind.SCALE,
                        "label": "Vos outils vous font-ils gagner du temps ?",
                        "is_required": True,
                        "scale_min": 1,
                        "scale_max": 5,
                        "scale_min_label": "Pas du tout",
                        "scale_max_label": "Beaucoup",
                    },
                    {
                        "key": "idea",
                        "kind": Kind.LONG_TEXT,
                        "label": "Une idée pour les améliorer ?",
                    },
                ],
            )
        ],
    )


def _draft(correspondent: User) -> None:
    consultation = Consultation.objects.create(
        title="Familles monoparentales : vos besoins",
        slug="familles-monoparentales-isere",
        summary="Une consultation de la Caf de l'Isère en préparation.",
        audience=Consultation.Audience.CITIZENS,
        caf=correspondent.caf,
        owner=correspondent,
        **PRIVACY,
    )
    consultation.perimeter_cafs.set([correspondent.caf])
    _questionnaire(
        consultation,
        [
            (
                "Vos réponses",
                [
                    {
                        "key": "need",
                        "kind": Kind.LONG_TEXT,
                        "label": "De quoi avez-vous le plus besoin ?",
                    }
                ],
            )
        ],
    )


def seed(stdout: TextIO) -> None:
    lab = User.objects.get(email="labo@caflab.demo")
    correspondent = User.objects.get(email="correspondant.isere@caflab.demo")
    now = timezone.now()
    existing = set(Consultation.objects.values_list("slug", flat=True))
    cafs = list(Caf.objects.order_by("position")[:20])
    created = 0
    if "votre-accueil-a-la-caf" not in existing:
        _closed_consultation(lab, cafs, now)
        created += 1
    if "vos-demarches-en-ligne" not in existing:
        _open_consultation(lab, now)
        created += 1
    if "vos-outils-de-travail" not in existing:
        _agents_consultation(lab, now)
        created += 1
    if "familles-monoparentales-isere" not in existing:
        _draft(correspondent)
        created += 1
    if COMMUNITY_SLUG not in existing:
        _lab_parentalite(correspondent, now)
        created += 1
    stdout.write(f"  écoute : {created} consultations ({CLOSED_ANSWERS} réponses pour l'accueil)")
    demo_contributions.seed(stdout)
    seed_restitution_and_recruitment(stdout, lab=lab, now=now)


# --- phase 2: a published restitution and a recruitment -------------------------------------------


def _restitution(lab: User, now: datetime.datetime) -> bool:
    """The closed consultation on the welcome desk, with its published restitution. Seeded as
    sent (its e-mails are not sent from a seed): only new hear-back addresses would be told."""
    consultation = Consultation.objects.filter(slug="votre-accueil-a-la-caf").first()
    if consultation is None or Restitution.objects.filter(consultation=consultation).exists():
        return False
    published = now - datetime.timedelta(days=13)
    # Written as a draft, its decisions followed up through the real service (a draft's
    # updates are announced to nobody: a seed sends no e-mail), then published.
    restitution = Restitution.objects.create(
        consultation=consultation,
        synthesis=(
            "Vous avez été 2 000 à nous répondre, allocataires et agents d'accueil. Trois messages "
            "reviennent le plus souvent : l'attente au guichet décourage, les courriers sont "
            "difficiles à comprendre, et vous voulez savoir où en est votre dossier sans avoir à "
            "rappeler.\n\nVoici ce que nous avons décidé, et où en est chaque décision."
        ),
    )
    decisions = [
        (
            "L'attente au guichet est trop longue, surtout sans rendez-vous.",
            "Un accueil en flux, orienté dès l'entrée par un agent volant, est déployé dans "
            "12 Caf ; un accueil sans rendez-vous le samedi matin est testé en Isère.",
            "Accueil sans rendez-vous repensé",
            [
                (D.IN_PROGRESS, 25, "Premier samedi d'ouverture à Grenoble : 140 visiteurs.", 12),
                (D.IN_PROGRESS, 60, "L'accueil en flux tourne dans 7 Caf sur 12.", 3),
            ],
        ),
        (
            "Les courriers sont difficiles à comprendre.",
            "Les 20 courriers les plus envoyés sont réécrits avec des allocataires.",
            "Courriers en langage clair",
            [
                (D.IN_PROGRESS, 50, "10 courriers relus par un panel de 12 allocataires.", 10),
                (D.DONE, 100, "Les 20 courriers réécrits partent depuis le 1er du mois.", 1),
            ],
        ),
        (
            "Vous voulez être prévenus quand votre dossier avance.",
            "Une notification à chaque étape du traitement est à l'étude pour 2027.",
            None,
            [
                (
                    D.PLANNED,
                    0,
                    "Cadrage avec la direction du réseau prévu au prochain trimestre.",
                    6,
                )
            ],
        ),
        (
            "Vous aimeriez pouvoir déposer vos pièces au guichet sans attendre.",
            "Une borne de dépôt de pièces en libre-service dans chaque accueil.",
            None,
            [
                (
                    D.ABANDONED,
                    0,
                    "Abandonnée : le dépôt en ligne depuis le téléphone, ouvert cette année, "
                    "répond au même besoin pour bien moins cher.",
                    8,
                )
            ],
        ),
    ]
    for position, (said, done, project_title, updates) in enumerate(decisions, start=1):
        decision = Decision.objects.create(
            restitution=restitution,
            said=said,
            done=done,
            project=Project.objects.filter(title=project_title).first() if project_title else None,
            position=position,
        )
        for status, progress, text, days_ago in updates:
            decision_update(
                decision=decision,
                by=lab,
                status=status,
                progress=progress,
                text=text,
                now=now - datetime.timedelta(days=days_ago),
            )
    Restitution.objects.filter(pk=restitution.pk).update(
        status=Restitution.Status.PUBLISHED,
        published_at=published,
        published_by=lab,
        emails_done_at=published,
    )
    if consultation.status == Status.CLOSED:
        consultation.publish_results(published, by=lab)
    return True


OVERDUE_SLUG = "rendez-vous-des-familles"


def _overdue_consultation(correspondent: User, now: datetime.datetime) -> bool:
    """A consultation of the Isère Caf closed ten weeks ago whose restitution is overdue: the
    manage list badges it, and the reminders have reached the lab."""
    if Consultation.objects.filter(slug=OVERDUE_SLUG).exists():
        return False
    consultation = Consultation.objects.create(
        title="Le rendez-vous des familles",
        slug=OVERDUE_SLUG,
        summary="Les rendez-vous d'information pour les familles qui attendent un enfant.",
        audience=Consultation.Audience.CITIZENS,
        caf=correspondent.caf,
        status=Status.CLOSED,
        opens_at=now - datetime.timedelta(days=100),
        closes_at=now - datetime.timedelta(days=70),
        status_changed_at=now - datetime.timedelta(days=70),
        owner=correspondent,
        **PRIVACY,
    )
    consultation.perimeter_cafs.set([correspondent.caf])
    _questionnaire(
        consultation,
        [
            (
                "Votre avis",
                [
                    {
                        "key": "useful",
                        "kind": Kind.LONG_TEXT,
                        "label": "Qu'avez-vous retenu du rendez-vous ?",
                    }
                ],
            )
        ],
    )
    return True


def _recruitment(lab: User, now: datetime.datetime) -> bool:
    """A workshop in Grenoble on the open consultation: seats all taken, two on the list."""
    title = "Atelier Lab Parentalité : tester le nouveau simulateur"
    consultation = Consultation.objects.filter(slug="vos-demarches-en-ligne").first()
    if consultation is None or Recruitment.objects.filter(title=title).exists():
        return False
    # A Wednesday afternoon (no school for the children) about two weeks ahead, in Paris time.
    day = timezone.localdate(now) + datetime.timedelta(days=10)
    day += datetime.timedelta(days=(2 - day.weekday()) % 7)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))
    recruitment = Recruitment.objects.create(
        consultation=consultation,
        title=title,
        description=(
            "Le Lab Parentalité de la Caf de l'Isère prépare un simulateur pour estimer ses aides "
            "à l'arrivée d'un enfant. Venez le tester avec nous pendant deux heures : vous "
            "l'utilisez, vous nous dites ce qui vous aide et ce qui vous bloque. Un goûter est "
            "offert, et une garde d'enfants est prévue sur place."
        ),
        kind=Recruitment.Kind.USER_TEST,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Caf de l'Isère, 3 rue des Alliés, 38000 Grenoble – salle du rez-de-chaussée",
        seats=4,
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=starts - datetime.timedelta(days=2),
        created_by=lab,
    )
    EligibilityQuestion.objects.create(
        recruitment=recruitment,
        label="Attendez-vous un enfant ou avez-vous un enfant de moins de 3 ans ?",
        choices=["Oui", "Non"],
        accepted=["Oui"],
        position=1,
    )
    EligibilityQuestion.objects.create(
        recruitment=recruitment,
        label="Pouvez-vous venir à Grenoble ?",
        choices=["Oui", "Non, mais en visio", "Non"],
        accepted=["Oui"],
        position=2,
    )
    citizen = User.objects.filter(email="citoyen@caflab.demo").first()
    people = [
        ("Inès Haddad", "ines.haddad@example.org"),
        ("Julien Morel", "julien.morel@example.org"),
        ("Sophie Bernard", "sophie.bernard@example.org"),
        ("Karim Benali", "karim.benali@example.org"),
        ("Léa Fontaine", "lea.fontaine@example.org"),
    ]
    if citizen:
        Registration.objects.create(
            recruitment=recruitment,
            user=citizen,
            status=Registration.Status.CONFIRMED,
            registered_at=now - datetime.timedelta(days=4),
        )
    for n, (name, email) in enumerate(people):
        confirmed = Registration.objects.filter(
            recruitment=recruitment, status=Registration.Status.CONFIRMED
        ).count()
        Registration.objects.create(
            recruitment=recruitment,
            name=name,
            email=email,
            status=(
                Registration.Status.CONFIRMED
                if confirmed < recruitment.seats
                else Registration.Status.WAITING
            ),
            registered_at=now - datetime.timedelta(days=4, hours=-n - 1),
        )
    return True


def seed_restitution_and_recruitment(stdout: TextIO, *, lab: User, now: datetime.datetime) -> None:
    restitution = _restitution(lab, now)
    recruitment = _recruitment(lab, now)
    correspondent = User.objects.get(email="correspondant.isere@caflab.demo")
    if _overdue_consultation(correspondent, now):
        restitution_reminders_send(now=now)  # the owner, then the lab: as the daily task did
    stdout.write(
        f"  écoute : {int(restitution)} restitution publiée, {int(recruitment)} recrutement"
    )


# --- the Lab Parentalité community and its consultation -----------------------------------------

COMMUNITY_SLUG = "monenfant-lab-parentalite"
LAB_PARENTALITE_MEMBERS = [
    ("citoyen@caflab.demo", "Camille", "Petit"),
    ("parent.grenoble1@caflab.demo", "Inès", "Marchand"),
    ("parent.grenoble2@caflab.demo", "Julien", "Barbier"),
    ("parent.grenoble3@caflab.demo", "Sofia", "Benali"),
    ("parent.echirolles@caflab.demo", "Thomas", "Girard"),
]


def _lab_parentalite(correspondent: User, now: datetime.datetime) -> None:
    """The standing community of parents of the Isère Caf (Grenoble), its members (the demo
    citizen among them) and a consultation reserved for it."""
    from caflab.accounts.models import Role
    from ecoute.models import Community, Membership

    community, _created = Community.objects.get_or_create(
        name="Lab Parentalité",
        defaults={
            "caf": correspondent.caf,
            "description": (
                "Une communauté permanente de parents de l'agglomération grenobloise qui "
                "imaginent avec la Caf de l'Isère les services qui les concernent : "
                "monenfant.fr, l'accueil du jeune enfant, le soutien à la parentalité."
            ),
        },
    )
    for position, (email, first_name, last_name) in enumerate(LAB_PARENTALITE_MEMBERS):
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "role": Role.CITIZEN,
                "email_verified_at": now,
            },
        )
        if created:
            user.set_unusable_password()  # members only: they do not log in to the demo
            user.save(update_fields=["password"])
        joined = now - datetime.timedelta(days=200 - 30 * position)
        if not Membership.objects.active().filter(community=community, user=user).exists():
            Membership.objects.create(
                community=community,
                user=user,
                via=Membership.Via.INVITATION,
                consent_given_at=joined,
                consent_version=community.consent_version,
                joined_at=joined,
            )
    consultation = Consultation.objects.create(
        title="monenfant.fr : trouver un mode de garde",
        slug=COMMUNITY_SLUG,
        summary=(
            "Parents du Lab Parentalité : racontez-nous votre dernière recherche d'un mode de "
            "garde sur monenfant.fr."
        ),
        audience=Consultation.Audience.CITIZENS,
        access=Consultation.Access.COMMUNITY,
        caf=correspondent.caf,
        status=Status.OPEN,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=25),
        status_changed_at=now - datetime.timedelta(days=3),
        owner=correspondent,
        **PRIVACY,
    )
    consultation.perimeter_cafs.set([correspondent.caf])
    consultation.communities.set([community])
    _questionnaire(
        consultation,
        [
            (
                "Votre recherche",
                [
                    {
                        "key": "found",
                        "kind": Kind.SINGLE_CHOICE,
                        "label": "Avez-vous trouvé un mode de garde grâce à monenfant.fr ?",
                        "is_required": True,
                        "options": ["Oui", "Non", "Je cherche encore"],
                    },
                    {
                        "key": "ease",
                        "kind": Kind.SCALE,
                        "label": "La recherche a-t-elle été facile ?",
                        "is_required": True,
                        "scale_min": 1,
                        "scale_max": 5,
                        "scale_min_label": "Très difficile",
                        "scale_max_label": "Très facile",
                    },
                    {
                        "key": "story",
                        "kind": Kind.LONG_TEXT,
                        "label": "Qu'est-ce qui vous a manqué ?",
                    },
                ],
            )
        ],
    )
