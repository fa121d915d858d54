"""Evaluation at national scale: 50 plans with questions and stakeholder groups, 4 indicators
each with targets, and ~72,000 measurements (12 quarters × national + 29 Caf)."""

import datetime
import random
from decimal import Decimal

from caflab.national.accounts import People
from caflab.national.bulk import TODAY, bulk, sized
from evaluation.models import (
    EvaluationPlan,
    EvaluativeQuestion,
    Indicator,
    IndicatorTarget,
    Measurement,
    StakeholderGroup,
)
from projects.models import Project, Stage

INDICATORS = (
    ("Taux de recours aux droits", "%", "users", "higher"),
    ("Délai moyen de traitement", "jours", "service", "lower"),
    ("Appels non décrochés", "appels", "agents", "lower"),
    ("Papier économisé", "kg", "environmental", "higher"),
)


def _quarter(start: datetime.date, k: int) -> datetime.date:
    month = start.month - 1 + 3 * k
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def seed(rng: random.Random, scale: float, people: People, projects: list[Project]) -> int:
    eligible = [
        p
        for p in projects
        if p.stage in (Stage.EXPERIMENTATION, Stage.ESSAIMAGE, Stage.GENERALISED)
    ]
    chosen = eligible[: sized(50, scale)]
    plans = bulk(
        EvaluationPlan,
        (
            EvaluationPlan(
                project=p,
                summary="Mesurer les effets positifs et négatifs pour les usagers et les agents.",
                methods="Enquêtes avant / après, données de gestion, entretiens.",
                evidence_level=rng.randint(1, 3),
                updated_by_id=p.lead_id,
            )
            for p in chosen
        ),
    )
    bulk(
        StakeholderGroup,
        (
            StakeholderGroup(plan=plan, name=name, kind=kind)
            for plan in plans
            for name, kind in (("Allocataires", "users"), ("Agents d'accueil", "agents"))
        ),
    )
    questions = bulk(
        EvaluativeQuestion,
        (
            EvaluativeQuestion(plan=plan, criterion=criterion, text=text, position=n)
            for plan in plans
            for n, (criterion, text) in enumerate(
                (
                    ("relevance", "Le service répond-il à un besoin des familles ?"),
                    ("effectiveness", "Le recours aux droits progresse-t-il ?"),
                    ("impact", "Quels effets inattendus, positifs ou négatifs ?"),
                )
            )
        ),
    )
    first_question = {q.plan_id: q.pk for q in reversed(questions)}
    start = _quarter(datetime.date(TODAY.year - 3, 1, 1), 0)
    indicators = bulk(
        Indicator,
        (
            Indicator(
                project=plan.project,
                name=name,
                definition="Calculé chaque trimestre à partir des données de gestion.",
                unit=unit,
                category=category,
                direction=direction,
                effect="negative" if category == "agents" else "positive",
                baseline_value=Decimal(rng.randint(20, 80)),
                baseline_date=start,
                baseline_source="Données de gestion",
                frequency="quarterly",
                owner_id=plan.project.lead_id,
                question_id=first_question[plan.pk],
                position=n,
            )
            for plan in plans
            for n, (name, unit, category, direction) in enumerate(INDICATORS)
        ),
    )
    bulk(
        IndicatorTarget,
        (
            IndicatorTarget(
                indicator=i,
                period=_quarter(start, 4 * k + 3),
                value=i.baseline_value * Decimal("1.1") ** (k + 1),
            )
            for i in indicators
            for k in range(3)
        ),
    )
    measurements = []
    for indicator in indicators:
        cafs = [None, *rng.sample(people.cafs, min(29, len(people.cafs)))]
        entered = rng.choice(people.lab)
        for k in range(12):
            period = _quarter(start, k)
            for caf in cafs:
                trend = float(indicator.baseline_value) * (1 + 0.02 * k) + rng.gauss(0, 3)
                measurements.append(
                    Measurement(
                        indicator=indicator,
                        caf_id=caf,
                        period=period,
                        value=Decimal(f"{max(0.0, trend):.2f}"),
                        source="Données de gestion" if caf is None else "Saisie de la Caf",
                        entered_by_id=entered,
                    )
                )
    bulk(Measurement, measurements)
    return len(measurements)
