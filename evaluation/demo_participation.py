"""Demo data of the evaluation's participation part, for one project: a stakeholder survey with
a "before" and an "after" wave (answers sent through écoute's `response_submit`), testimonies
(some without consent to be quoted), effects, judgements on the six criteria and the seven
ecological ratings.

`evaluation.demo.seed` calls `seed_participation(project, stdout)` for each demo project. The
open severe negative effect goes to the first project seeded only (the one whose next "go" is
blocked). A project that already has a survey is skipped, so the seed runs twice safely.
"""

import datetime
import random
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from ecoute.conditions import AnswerValue
from ecoute.models import Option, Question, Section
from ecoute.services.batches import pending_flush
from evaluation.models import (
    Criterion,
    EcologicalRating,
    Effect,
    EffectChange,
    Judgement,
    SurveyWave,
    Testimony,
)
from evaluation.services.judgements import ecological_assessment_save, judgement_save
from evaluation.services.participation import survey_create, wave_add, wave_answer_for_demo
from projects.models import Project

ANSWERS_PER_WAVE = 36
WITH_TESTIMONIES = (Criterion.EFFECTIVENESS, Criterion.IMPACT)
WITH_SURVEY = (Criterion.RELEVANCE, Criterion.EFFECTIVENESS)

TESTIMONIES = [
    (
        Testimony.Tone.POSITIVE,
        True,
        "Avant, je ne savais pas que j'avais droit à la prime d'activité. Le rendez-vous a "
        "tout changé pour nous : on a fait la demande le jour même.",
    ),
    (
        Testimony.Tone.POSITIVE,
        True,
        "Le conseiller a pris le temps d'expliquer chaque courrier. Je me sens moins seule "
        "face aux démarches.",
    ),
    (
        Testimony.Tone.MIXED,
        True,
        "L'accueil était très bien, mais il a fallu attendre trois semaines pour le "
        "rendez-vous, c'est long quand on est sans ressources.",
    ),
    (
        Testimony.Tone.NEGATIVE,
        False,
        "La convocation m'a fait peur : j'ai cru qu'on allait me supprimer mes allocations.",
    ),
    (
        Testimony.Tone.POSITIVE,
        False,
        "Mon fils a pu reprendre la cantine grâce à l'aide de la Caf, merci à l'équipe.",
    ),
]

JUDGEMENTS = {
    Criterion.RELEVANCE: (
        Judgement.Rating.VERY_SATISFACTORY,
        "Le non-recours est documenté sur le territoire ; les familles interrogées avant "
        "l'expérimentation déclarent mal connaître leurs droits.",
    ),
    Criterion.COHERENCE: (
        Judgement.Rating.SATISFACTORY,
        "Le dispositif s'articule avec les rendez-vous des droits existants et l'action des "
        "travailleurs sociaux du département.",
    ),
    Criterion.EFFECTIVENESS: (
        Judgement.Rating.SATISFACTORY,
        "La connaissance des droits progresse nettement entre les deux vagues de l'enquête ; "
        "les témoignages confirment des ouvertures de droits.",
    ),
    Criterion.EFFICIENCY: (
        Judgement.Rating.PARTIAL,
        "Le temps agent par rendez-vous reste élevé ; un format collectif est à tester.",
    ),
    Criterion.IMPACT: (
        Judgement.Rating.PARTIAL,
        "Des effets positifs sur les ressources des familles, mais un effet négatif "
        "inattendu (l'inquiétude causée par la convocation) reste à traiter.",
    ),
    Criterion.SUSTAINABILITY: (
        Judgement.Rating.SATISFACTORY,
        "Les équipes d'accueil se sont approprié la démarche ; le financement est assuré "
        "jusqu'à la fin de la COG.",
    ),
}

ECOLOGICAL = {
    EcologicalRating.Objective.CLIMATE_MITIGATION: (
        EcologicalRating.Rating.NEUTRAL,
        "Rendez-vous surtout en agence de proximité ; peu de déplacements supplémentaires.",
    ),
    EcologicalRating.Objective.CLIMATE_ADAPTATION: (
        EcologicalRating.Rating.NEUTRAL,
        "Sans lien direct avec l'adaptation au changement climatique.",
    ),
    EcologicalRating.Objective.WATER: (
        EcologicalRating.Rating.NEUTRAL,
        "Aucun effet sur la ressource en eau.",
    ),
    EcologicalRating.Objective.CIRCULAR_ECONOMY: (
        EcologicalRating.Rating.POSITIVE,
        "Moins de courriers papier grâce aux explications données en rendez-vous.",
    ),
    EcologicalRating.Objective.POLLUTION: (
        EcologicalRating.Rating.NEUTRAL,
        "Aucun effet notable sur les pollutions.",
    ),
    EcologicalRating.Objective.BIODIVERSITY: (
        EcologicalRating.Rating.NEUTRAL,
        "Aucun effet sur la biodiversité.",
    ),
    EcologicalRating.Objective.SOCIAL_COHESION: (
        EcologicalRating.Rating.POSITIVE,
        "Les familles isolées retrouvent un interlocuteur ; l'accès aux droits réduit la "
        "précarité.",
    ),
}


def _questions(section: Section) -> tuple[Question, Question, Question]:
    questionnaire = section.questionnaire
    scale = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SCALE,
        label="Dans quelle mesure vous sentez-vous informé(e) de vos droits ?",
        scale_min=1,
        scale_max=5,
        scale_min_label="Pas du tout",
        scale_max_label="Tout à fait",
        is_required=True,
        position=1,
    )
    choice = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Avez-vous fait une démarche auprès de la Caf ces six derniers mois ?",
        position=2,
    )
    for position, label in enumerate(["Oui", "Non", "Je ne sais pas"], start=1):
        Option.objects.create(question=choice, label=label, position=position)
    text = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.LONG_TEXT,
        label="Que faudrait-il améliorer ?",
        position=3,
    )
    return scale, choice, text


def _answer(scale, choice, text, rng: random.Random, *, after: bool) -> dict:
    weights = [5, 10, 30, 35, 20] if after else [20, 35, 30, 10, 5]
    score = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
    options = list(choice.options.order_by("position"))
    picked = rng.choices(options, weights=[60, 30, 10] if after else [30, 55, 15])[0]
    answers = {
        scale.pk: AnswerValue(number=Decimal(score)),
        choice.pk: AnswerValue(choices=(picked.pk,)),
    }
    if rng.random() < 0.3:
        answers[text.pk] = AnswerValue(
            text=rng.choice(
                [
                    "Des horaires de rendez-vous le samedi.",
                    "Un courrier plus simple à comprendre.",
                    "Pouvoir venir avec un interprète.",
                    "Être rappelé plus vite.",
                ]
            )
        )
    return answers


@transaction.atomic
def seed_participation(
    project: Project, stdout: TextIO, *, severe_effect: bool | None = None
) -> None:
    """Seed the participation part for `project` (skipped when it already has a survey).
    `severe_effect`: add the open severe negative effect; by default only when no project has
    one yet."""
    if project.surveys.exists():
        stdout.write(f"  participation de {project.code} : déjà là\n")
        return
    rng = random.Random(project.pk)
    today = timezone.localdate()
    lead = project.lead
    groups = list(
        project.evaluation_plan.stakeholder_groups.all()
        if hasattr(project, "evaluation_plan")
        else []
    )
    group = next((g for g in groups if g.kind == "users"), groups[0] if groups else None)

    survey = survey_create(
        project=project,
        title="Votre connaissance de vos droits",
        stakeholder_group=group,
        intro="Cinq minutes pour nous dire où vous en êtes. Vos réponses sont anonymes.",
        by=lead,
    )
    scale, choice, text = _questions(survey.questionnaire.sections.get())
    before = wave_add(
        survey=survey,
        kind=SurveyWave.Kind.BEFORE,
        label="Avant l'expérimentation",
        opens_on=today - datetime.timedelta(days=200),
        closes_on=today - datetime.timedelta(days=170),
    )
    after = wave_add(
        survey=survey,
        kind=SurveyWave.Kind.AFTER,
        label="Six mois après",
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )
    for wave, is_after in ((before, False), (after, True)):
        for _ in range(ANSWERS_PER_WAVE):
            wave_answer_for_demo(
                wave=wave, answers=_answer(scale, choice, text, rng, after=is_after)
            )
    # The demo's answers are read at once: write what waits for a full batch.
    pending_flush(survey.questionnaire_id)

    testimonies = []
    for days, (tone, consent, body) in enumerate(TESTIMONIES):
        testimonies.append(
            Testimony.objects.create(
                project=project,
                stakeholder_group=group,
                caf=project.pilot_caf,
                text=body,
                tone=tone,
                consent_to_quote=consent,
                collected_on=today - datetime.timedelta(days=7 * days + 3),
                collected_by=lead,
            )
        )

    _effect(
        project,
        lead,
        nature=Effect.Nature.NEGATIVE,
        description="Allongement du délai d'attente au guichet les jours de rendez-vous.",
        affected="Usagers venus sans rendez-vous",
        severity=Effect.Severity.MODERATE,
        likelihood=Effect.Likelihood.LIKELY,
        mitigation="Un agent supplémentaire à l'accueil le mardi matin.",
        status=Effect.Status.MITIGATING,
    )
    _effect(
        project,
        lead,
        nature=Effect.Nature.UNEXPECTED_POSITIVE,
        description="Les familles reçues parlent du dispositif à leurs voisins.",
        affected="Familles du quartier",
        severity=Effect.Severity.MINOR,
        likelihood=Effect.Likelihood.CERTAIN,
        status=Effect.Status.ACCEPTED,
    )
    if severe_effect is None:
        severe_effect = not Effect.objects.blocking().exists()
    if severe_effect:
        _effect(
            project,
            lead,
            nature=Effect.Nature.UNEXPECTED_NEGATIVE,
            description="La convocation au rendez-vous inquiète des familles, qui croient à "
            "un contrôle et à une suspension de leurs droits.",
            affected="Familles monoparentales, allocataires du RSA",
            severity=Effect.Severity.SEVERE,
            likelihood=Effect.Likelihood.LIKELY,
            mitigation="Réécrire la convocation avec des usagers ; appeler avant d'écrire.",
            status=Effect.Status.OPEN,
        )

    indicators = list(project.indicators.all()[:2]) if hasattr(project, "indicators") else []
    quotable = [t for t in testimonies if t.consent_to_quote]
    for criterion, (rating, rationale) in JUDGEMENTS.items():
        judgement_save(
            project=project,
            criterion=criterion,
            rating=rating,
            rationale=rationale,
            indicators=indicators if criterion == Criterion.EFFECTIVENESS else [],
            testimonies=quotable[:2]
            if criterion in (Criterion.EFFECTIVENESS, Criterion.IMPACT)
            else [],
            surveys=[survey] if criterion in (Criterion.RELEVANCE, Criterion.EFFECTIVENESS) else [],
            by=lead,
        )
    ecological_assessment_save(project=project, ratings=ECOLOGICAL, by=lead)
    stdout.write(
        f"  participation de {project.code} : 1 enquête ({2 * ANSWERS_PER_WAVE} réponses), "
        f"{len(testimonies)} témoignages, effets, jugements\n"
    )


def _effect(project: Project, by, *, status: str, **fields) -> Effect:
    now = timezone.now()
    effect = Effect.objects.create(
        project=project, owner=by, recorded_by=by, status=status, status_changed_at=now, **fields
    )
    EffectChange.objects.create(
        effect=effect, to_status=Effect.Status.OPEN, comment="Effet signalé.", changed_by=by
    )
    if status != Effect.Status.OPEN:
        EffectChange.objects.create(
            effect=effect,
            from_status=Effect.Status.OPEN,
            to_status=status,
            comment="Décidé en comité de suivi.",
            changed_by=by,
        )
    return effect
