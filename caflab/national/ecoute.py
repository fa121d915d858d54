"""Écoute at national scale: 50 consultations, one of them a public questionnaire with 100,000
responses (~920,000 answers, realistic per-question distributions) written with COPY, one call
for contributions with supports and comments."""

import datetime
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from caflab.national.accounts import People
from caflab.national.bulk import (
    NOW,
    TODAY,
    bulk,
    copy,
    days_ago,
    reserve_ids,
    sized,
    zipf_weights,
)
from caflab.network.models import Theme
from ecoute.models import (
    Answer,
    AnswerChoice,
    Consultation,
    Contribution,
    ContributionComment,
    ContributionSupport,
    Option,
    Question,
    Questionnaire,
    Response,
    Section,
)

SLUG_PREFIX = "nat-"
BIG_SLUG = "nat-consultation-nationale"
CONTRIBUTIONS_SLUG = "nat-appel-a-idees"
K = Question.Kind


@dataclass
class Spec:
    """A question to create and how people answer it."""

    section: int
    kind: str
    label: str
    rate: float  # share of the respondents who answer it (when shown)
    options: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    scale: tuple[int, int] | None = None
    condition: tuple[int, int] | None = None  # (index of the question, index of its option)
    required: bool = False


BIG = [
    Spec(
        0,
        K.SINGLE_CHOICE,
        "Êtes-vous allocataire de la Caf ?",
        1,
        ("Oui", "Non", "Je ne sais pas"),
        (78, 17, 5),
        required=True,
    ),
    Spec(
        0,
        K.SINGLE_CHOICE,
        "Comment contactez-vous le plus souvent la Caf ?",
        1,
        ("caf.fr", "Application mobile", "Téléphone", "Accueil", "Courrier"),
        (42, 28, 15, 12, 3),
        required=True,
    ),
    Spec(
        0,
        K.MULTIPLE_CHOICE,
        "Quelles démarches faites-vous en ligne ?",
        0.95,
        (
            "Déclaration trimestrielle",
            "Changement de situation",
            "Attestations",
            "Simulation",
            "Messagerie",
            "Rendez-vous",
        ),
        (60, 35, 45, 25, 20, 10),
    ),
    Spec(
        0,
        K.SCALE,
        "Êtes-vous satisfait de la Caf ?",
        1,
        scale=(1, 5),
        weights=(6, 10, 22, 40, 22),
        required=True,
    ),
    Spec(
        1,
        K.SINGLE_CHOICE,
        "Avez-vous déjà renoncé à une aide à laquelle vous aviez droit ?",
        1,
        ("Oui", "Non"),
        (35, 65),
        required=True,
    ),
    Spec(
        1,
        K.MULTIPLE_CHOICE,
        "Pourquoi ?",
        0.95,
        (
            "Démarches trop compliquées",
            "Je ne savais pas",
            "Peur d'un indu",
            "Pas le temps",
            "Autre raison",
        ),
        (40, 45, 25, 15, 8),
        condition=(4, 0),
    ),
    Spec(
        1,
        K.SCALE,
        "Recommanderiez-vous les services en ligne à un proche ?",
        0.9,
        scale=(0, 10),
        weights=(3, 2, 3, 4, 5, 10, 10, 15, 20, 15, 13),
    ),
    Spec(
        1,
        K.RANKING,
        "Classez ce qui compte le plus pour vous",
        0.7,
        ("Être payé à temps", "Comprendre mes droits", "Joindre un conseiller", "Moins de papiers"),
        (40, 30, 20, 10),
    ),
    Spec(2, K.NUMBER, "Quel est votre âge ?", 0.85),
    Spec(2, K.LONG_TEXT, "Que devrions-nous améliorer en priorité ?", 0.2),
    Spec(
        2,
        K.SINGLE_CHOICE,
        "Votre situation familiale",
        0.9,
        (
            "Seul sans enfant",
            "Seul avec enfants",
            "En couple sans enfant",
            "En couple avec enfants",
        ),
        (20, 25, 15, 40),
    ),
    Spec(2, K.DATE, "Date de votre dernier contact avec la Caf", 0.4),
]
SMALL = [
    Spec(
        0,
        K.SINGLE_CHOICE,
        "Le service vous convient-il ?",
        1,
        ("Oui", "En partie", "Non"),
        (55, 30, 15),
        required=True,
    ),
    Spec(0, K.SCALE, "Votre note", 0.9, scale=(1, 5), weights=(5, 10, 25, 40, 20)),
    Spec(0, K.LONG_TEXT, "Vos suggestions", 0.25),
]
TEXTS = (
    "Des courriers plus simples, avec un seul numéro à appeler.",
    "Pouvoir prendre rendez-vous le samedi.",
    "Être prévenu avant une baisse de mes aides.",
    "Un conseiller qui connaît mon dossier.",
)


def _build(
    questionnaire: Questionnaire, specs: list[Spec]
) -> list[tuple[Question, Spec, list[int]]]:
    sections = bulk(
        Section,
        (
            Section(questionnaire=questionnaire, title=f"Partie {n + 1}", position=n)
            for n in range(max(s.section for s in specs) + 1)
        ),
    )
    questions: list[Question] = []
    for position, spec in enumerate(specs):
        question = Question(
            questionnaire=questionnaire,
            section=sections[spec.section],
            kind=spec.kind,
            label=spec.label,
            is_required=spec.required,
            position=position,
            allow_other=spec.kind == K.MULTIPLE_CHOICE and position == 2,
            max_choices=3 if spec.kind == K.MULTIPLE_CHOICE else None,
            display="list" if position == 1 else "buttons",
            scale_min=spec.scale[0] if spec.scale else None,
            scale_max=spec.scale[1] if spec.scale else None,
            number_min=Decimal(16) if spec.kind == K.NUMBER else None,
            number_max=Decimal(110) if spec.kind == K.NUMBER else None,
        )
        questions.append(question)
    questions = bulk(Question, questions)
    options = bulk(
        Option,
        (
            Option(question=q, label=label, position=n)
            for q, spec in zip(questions, specs, strict=True)
            for n, label in enumerate(spec.options)
        ),
    )
    by_question: dict[int, list[int]] = {}
    for option in options:
        by_question.setdefault(option.question_id, []).append(option.pk)
    conditional = []
    for question, spec in zip(questions, specs, strict=True):
        if spec.condition:
            source = questions[spec.condition[0]]
            question.condition_question = source
            question.condition_operator = Question.Operator.EQUALS
            question.condition_option_id = by_question[source.pk][spec.condition[1]]
            conditional.append(question)
    Question.objects.bulk_update(
        conditional, ["condition_question", "condition_operator", "condition_option"]
    )
    return [(q, s, by_question.get(q.pk, [])) for q, s in zip(questions, specs, strict=True)]


def _respond(
    rng: random.Random,
    questionnaire: Questionnaire,
    plan: list[tuple[Question, Spec, list[int]]],
    count: int,
    people: People,
    opened: datetime.date,
) -> tuple[int, int]:
    """COPY `count` responses with their answers and choices; returns (answers, choices)."""
    caf_weights = [1 + 9 * rng.random() ** 3 for _ in people.cafs]
    agents = rng.sample(people.agents, min(len(people.agents) * 2 // 3, count // 5))
    span = max(1, min((TODAY - opened).days, 60))
    responses, answers, choices = [], [], []
    for n in range(count):
        response_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        agent = n % 5 == 0
        respondent = agents.pop() if agent and agents else None
        assisted = respondent is None and rng.random() < 0.02
        # A national consultation's burst: most answers come in the first days.
        day = opened + datetime.timedelta(days=min(span - 1, int(rng.expovariate(1 / 6))))
        audience = "agent" if agent else "citizen"
        caf = rng.choices(people.cafs, caf_weights)[0]
        responses.append(
            (
                response_id,
                questionnaire.pk,
                respondent,
                respondent is None and not assisted,
                assisted,
                audience,
                caf,
                day,
            )
        )
        chosen: dict[int, int] = {}  # question index → first option index chosen
        for index, (question, spec, option_ids) in enumerate(plan):
            if spec.condition and chosen.get(spec.condition[0]) != spec.condition[1]:
                continue  # not shown: the condition is not met
            if rng.random() > spec.rate:
                continue
            row = [question.pk, "", None, None, None, ""]
            picks: list[tuple[int, int | None]] = []
            if spec.kind == K.SINGLE_CHOICE:
                pick = rng.choices(range(len(option_ids)), spec.weights)[0]
                chosen[index] = pick
                picks = [(option_ids[pick], None)]
            elif spec.kind == K.MULTIPLE_CHOICE:
                wanted = rng.choices((1, 2, 3), (50, 35, 15))[0]
                seen = dict.fromkeys(rng.choices(range(len(option_ids)), spec.weights, k=wanted))
                picks = [(option_ids[k], None) for k in seen]
                if question.allow_other and rng.random() < 0.05:
                    row[5] = "Les allocations logement"
            elif spec.kind == K.RANKING:
                order = sorted(
                    range(len(option_ids)), key=lambda k: -spec.weights[k] * rng.random()
                )
                picks = [(option_ids[k], rank) for rank, k in enumerate(order, start=1)]
            elif spec.kind == K.SCALE:
                low, high = spec.scale
                row[2] = Decimal(rng.choices(range(low, high + 1), spec.weights)[0])
            elif spec.kind == K.NUMBER:
                row[2] = Decimal(min(95, max(18, int(rng.gauss(41, 12)))))
            elif spec.kind == K.DATE:
                row[3] = day - datetime.timedelta(days=int(rng.expovariate(1 / 40)))
            elif spec.kind in (K.SHORT_TEXT, K.LONG_TEXT):
                row[1] = rng.choice(TEXTS)
            # The answer carries its response's questionnaire and segment (see Answer).
            answers.append((response_id, questionnaire.pk, audience, caf, *row))
            if picks:
                choices.append((len(answers) - 1, picks))
    first = reserve_ids(Answer, len(answers))
    copy(
        Response,
        [
            "id",
            "questionnaire_id",
            "respondent_id",
            "is_anonymous",
            "is_assisted",
            "audience",
            "caf_id",
            "submitted_on",
        ],
        responses,
    )
    copy(
        Answer,
        [
            "id",
            "response_id",
            "questionnaire_id",
            "audience",
            "caf_id",
            "question_id",
            "value_text",
            "value_number",
            "value_date",
            "value_bool",
            "other_text",
        ],
        ((first + k, *answer) for k, answer in enumerate(answers)),
    )
    n_choices = copy(
        AnswerChoice,
        ["answer_id", "option_id", "rank"],
        ((first + k, option, rank) for k, picks in choices for option, rank in picks),
    )
    return len(answers), n_choices


def seed(rng: random.Random, scale: float, people: People) -> dict[str, int]:
    themes = list(Theme.objects.values_list("pk", flat=True))
    owner = people.lab[0]
    consultations = []
    statuses = ["open", "closed", "results_published", "archived", "scheduled", "draft"]
    for n in range(50):
        if n == 0:
            slug, status, title = BIG_SLUG, "open", "Grande consultation nationale des allocataires"
        elif n == 1:
            slug, status, title = CONTRIBUTIONS_SLUG, "open", "Vos idées pour la Caf de demain"
        else:
            slug, status = f"{SLUG_PREFIX}consultation-{n}", statuses[n % len(statuses)]
            title = f"Consultation n°{n} sur l'accueil des familles"
        opens = {"scheduled": NOW + datetime.timedelta(days=20)}.get(
            status, NOW - datetime.timedelta(days=rng.randint(5, 400) if status != "open" else 10)
        )
        closes = (
            opens + datetime.timedelta(days=rng.randint(30, 60))
            if status in ("open", "scheduled", "draft")
            else opens + datetime.timedelta(days=rng.randint(2, 4))
        )
        if status not in ("open", "scheduled", "draft"):
            closes = min(closes, NOW - datetime.timedelta(days=1))
        caf = None if n < 2 or n % 3 else rng.choice(people.cafs)
        consultations.append(
            Consultation(
                title=title,
                slug=slug,
                summary="Dites-nous ce qui compte pour vous.",
                audience="both" if n == 0 else rng.choice(["citizens", "agents", "both"]),
                caf_id=caf,
                access="public" if n < 2 else rng.choice(["public", "public", "agents"]),
                allow_anonymous=n == 0 or rng.random() < 0.5,
                status=status,
                status_changed_at=min(opens, NOW),
                opens_at=opens,
                closes_at=closes,
                privacy_purpose="Améliorer les services de la Caf.",
                owner_id=owner,
                collects_contributions=n == 1,
            )
        )
    consultations = bulk(Consultation, consultations)
    counts = {"responses": 0, "answers": 0, "choices": 0}
    for n, consultation in enumerate(consultations):
        if n == 1:
            continue
        questionnaire = Questionnaire.objects.create(
            consultation=consultation, title=consultation.title
        )
        plan = _build(questionnaire, BIG if n == 0 else SMALL)
        if consultation.status in ("draft", "scheduled"):
            continue
        count = sized(100_000, scale, 50) if n == 0 else rng.randint(0, sized(300, scale, 3))
        answers, choices = _respond(
            rng, questionnaire, plan, count, people, consultation.opens_at.date()
        )
        counts["responses"] += count
        counts["answers"] += answers
        counts["choices"] += choices

    # The call for contributions: a long tail of supports and comments.
    call = consultations[1]
    authors = people.network + people.citizens
    contributions = bulk(
        Contribution,
        (
            Contribution(
                consultation=call,
                author_id=rng.choice(authors),
                title=f"Proposition n°{n}",
                text=rng.choice(TEXTS),
                theme_id=rng.choice(themes),
                status=status,
                published_at=days_ago(rng, 0, 10) if status == "published" else None,
                moderated_by_id=people.moderators[0] if status != "pending" else None,
            )
            for n in range(1, sized(2000, scale, 5) + 1)
            for status in [rng.choices(["published", "pending", "rejected"], [85, 10, 5])[0]]
        ),
    )
    published = [c.pk for c in contributions if c.status == "published"]
    weights = zipf_weights(len(published), 0.9)
    pairs: set[tuple[int, int]] = set()
    target = sized(10_000, scale, 5)
    while len(pairs) < target:
        pairs.add((rng.choices(published, weights)[0], rng.choice(authors)))
    bulk(ContributionSupport, (ContributionSupport(contribution_id=c, user_id=u) for c, u in pairs))
    bulk(
        ContributionComment,
        (
            ContributionComment(
                contribution_id=c,
                author_id=rng.choice(authors),
                text="Je partage cet avis.",
                status="visible",
            )
            for c in rng.choices(published, weights, k=sized(3000, scale, 3))
        ),
    )
    return counts
