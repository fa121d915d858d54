"""Frozen copies of what an impact report shows, taken when the report is requested.

A report is rendered only from its snapshot, never from live data, so it never changes after
the fact and rendering it twice gives the same document. A snapshot is a JSON-serialisable dict:
decimals and dates as strings, choice labels already resolved, every list in a fixed order (the
database may reorder a JSON object's keys, never a list). `snapshot_digest` fingerprints its
canonical JSON.

Only testimonies whose author agreed to be quoted enter a snapshot.

Version 2 adds `deployments` (essaimage: each Caf's deployment, its status history, its
adaptation log and its latest measurements). Snapshots are stored data: a version-1 snapshot,
without the key, still renders, without that section (evaluation.reporting).

`coded_themes` (what the testimonies and surveys say, from the analysis of texts) came later in
the same version: a snapshot without the key renders without that section.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from analysis.masking import mask
from ecoute.models import Question
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    Criterion,
    EcologicalRating,
    Effect,
    EvaluationPlan,
    Indicator,
    IndicatorTarget,
    Judgement,
    Measurement,
    Recommendation,
    Survey,
    Testimony,
)
from evaluation.models.plans import EvidenceLevel
from projects.models import Adaptation, Deployment, DeploymentChange

SNAPSHOT_VERSION = 2

# How an indicator stands against its baseline and target.
REACHED = "reached"
IMPROVING = "improving"
OFF_TRACK = "off_track"
NO_DATA = "no_data"


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _str(value: Any) -> str | None:
    """Decimals and dates as strings; None stays None."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _name(user) -> str:
    return str(user) if user is not None else ""


def _person(user) -> str:
    """A person's full name, never their e-mail address; "" for none or an erased account."""
    if user is None or user.is_erased:
        return ""
    return user.get_full_name()


def indicator_status(
    direction: str, baseline: Decimal | None, latest: Decimal | None, target: Decimal | None
) -> str:
    """REACHED when the latest value meets the target in the wished direction; IMPROVING when it
    moved the right way from the baseline; OFF_TRACK otherwise; NO_DATA without a value or a
    target."""
    if latest is None or target is None:
        return NO_DATA
    sign = 1 if direction == Indicator.Direction.HIGHER else -1
    if sign * (latest - target) >= 0:
        return REACHED
    if baseline is not None and sign * (latest - baseline) > 0:
        return IMPROVING
    return OFF_TRACK


def _target_for(targets: list[IndicatorTarget], period) -> IndicatorTarget | None:
    """The target of the period being measured: the first one at or after `period`, else the
    last one."""
    if not targets:
        return None
    if period is not None:
        for target in targets:
            if target.period >= period:
                return target
    return targets[-1]


def _indicators(project) -> list[dict[str, Any]]:
    indicators = list(
        Indicator.objects.filter(project=project).select_related("owner").order_by("position", "pk")
    )
    targets: dict[int, list[IndicatorTarget]] = {i.pk: [] for i in indicators}
    for target in IndicatorTarget.objects.filter(indicator__project=project).order_by(
        "indicator", "period"
    ):
        targets[target.indicator_id].append(target)
    series_of = _series(project, indicators)
    by_caf: dict[int, dict[int, Measurement]] = {i.pk: {} for i in indicators}
    measurements = (
        Measurement.objects.filter(indicator__project=project, caf__isnull=False)
        .select_related("caf")
        .order_by("indicator", "period", "caf__position", "pk")
    )
    for measurement in measurements:  # periods ascend: the last one seen per Caf is the latest
        by_caf[measurement.indicator_id][measurement.caf_id] = measurement
    rows = []
    for indicator in indicators:
        series = series_of[indicator.pk]
        latest = series[-1] if series else None
        target = _target_for(targets[indicator.pk], latest.period if latest else None)
        status = indicator_status(
            indicator.direction,
            indicator.baseline_value,
            latest.value if latest else None,
            target.value if target else None,
        )
        cafs = sorted(by_caf[indicator.pk].values(), key=lambda m: (m.caf.position, m.caf.code))
        rows.append(
            {
                "name": indicator.name,
                "definition": indicator.definition,
                "unit": indicator.unit,
                "category": indicator.get_category_display(),
                "effect": indicator.get_effect_display(),
                "direction": indicator.direction,
                "direction_label": indicator.get_direction_display(),
                "baseline_value": _str(indicator.baseline_value),
                "baseline_date": _str(indicator.baseline_date),
                "baseline_source": indicator.baseline_source,
                "collection_method": indicator.collection_method,
                "owner": _name(indicator.owner),
                "targets": [
                    {"period": _str(t.period), "value": _str(t.value)}
                    for t in targets[indicator.pk]
                ],
                "target_value": _str(target.value) if target else None,
                "target_period": _str(target.period) if target else None,
                "series": [
                    {"period": _str(p.period), "value": _str(p.value), "n_cafs": p.n_cafs}
                    for p in series
                ],
                "latest_value": _str(latest.value) if latest else None,
                "latest_period": _str(latest.period) if latest else None,
                "status": status,
                "by_caf": [
                    {
                        "caf_code": m.caf.code,
                        "caf_name": m.caf.name,
                        "period": _str(m.period),
                        "value": _str(m.value),
                    }
                    for m in cafs
                ],
            }
        )
    return rows


def _deployments(project, indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Essaimage: per Caf (in the network's order), its deployment's status and dates, its
    local lead, the history of its statuses, its adaptation log (what changed, why, planned or
    reactive, faithful to the model or not) and, next to them, the latest value of each
    indicator measured in that Caf (read from `indicators`, already frozen). Three queries,
    whatever the number of deployments."""
    deployments = list(
        Deployment.objects.filter(project=project)
        .select_related("caf", "local_lead")
        .order_by("caf__position", "caf__code")
    )
    changes: dict[int, list[DeploymentChange]] = {d.pk: [] for d in deployments}
    for change in DeploymentChange.objects.filter(deployment__project=project).order_by(
        "deployment", "changed_at", "pk"
    ):
        changes[change.deployment_id].append(change)
    adaptations: dict[int, list[Adaptation]] = {d.pk: [] for d in deployments}
    for adaptation in Adaptation.objects.filter(deployment__project=project).order_by(
        "deployment", "made_on", "pk"
    ):
        adaptations[adaptation.deployment_id].append(adaptation)
    measured: dict[str, list[dict[str, Any]]] = {}
    for indicator in indicators:
        for m in indicator["by_caf"]:
            measured.setdefault(m["caf_code"], []).append(
                {
                    "indicator": indicator["name"],
                    "unit": indicator["unit"],
                    "period": m["period"],
                    "value": m["value"],
                }
            )
    adopted = (Deployment.Status.RUNNING, Deployment.Status.SUSTAINED)
    ended = (Deployment.Status.DECLINED, Deployment.Status.STOPPED)
    rows = []
    for d in deployments:
        history = changes[d.pk]
        started = next((c.changed_at for c in history if c.to_status in adopted), None)
        rows.append(
            {
                "caf_code": d.caf.code,
                "caf_name": d.caf.name,
                "status": d.status,
                "status_label": d.get_status_display(),
                "is_ended": d.status in ended,
                "declared_on": _str(timezone.localdate(d.created_at)),
                "status_since": _str(timezone.localdate(d.status_changed_at)),
                "running_since": _str(timezone.localdate(started)) if started else None,
                "reason": d.reason if d.status in ended else "",
                # The report's readers (the lab, the project's team, the network's agents once
                # published) see the local lead on the project's deployments page already: the
                # name only, never the address.
                "local_lead": _person(d.local_lead),
                "history": [
                    {
                        "status": c.to_status,
                        "status_label": c.get_to_status_display(),
                        "on": _str(timezone.localdate(c.changed_at)),
                    }
                    for c in history
                ],
                "adaptations": [
                    {
                        "made_on": _str(a.made_on),
                        "what": a.what,
                        "why": a.why,
                        "kind": a.kind,
                        "kind_label": a.get_kind_display(),
                        "is_faithful": a.is_faithful,
                    }
                    for a in adaptations[d.pk]
                ],
                "measurements": measured.get(d.caf.code, []),
            }
        )
    return rows


@dataclass(frozen=True)
class _Point:
    period: datetime.date
    value: Decimal
    n_cafs: int  # 0: a national value; otherwise the mean of this many Caf


def _series(project, indicators) -> dict[int, list[_Point]]:
    """Per indicator, one value per measured period: the national value when entered, else the
    mean of the Caf values (as on the indicator's page). Averaged by the database."""
    series: dict[int, list[_Point]] = {i.pk: [] for i in indicators}
    rows = (
        Measurement.objects.filter(indicator__project=project)
        .values("indicator", "period")
        .annotate(
            national=Avg("value", filter=Q(caf__isnull=True)),
            caf_mean=Avg("value", filter=Q(caf__isnull=False)),
            n_cafs=Count("caf"),
        )
        .order_by("indicator", "period")
    )
    for row in rows:
        national = row["national"] is not None
        value = _decimal(row["national"] if national else row["caf_mean"])
        series[row["indicator"]].append(
            _Point(
                period=row["period"],
                value=value.quantize(Decimal("0.01")),
                n_cafs=0 if national else row["n_cafs"],
            )
        )
    return series


def _plan(project) -> dict[str, Any] | None:
    plan = EvaluationPlan.objects.filter(project=project).first()
    if plan is None:
        return None
    steps = list(ChangeStep.objects.filter(plan=plan).order_by("position", "pk"))
    levels = []
    for level, label in ChangeStep.Level.choices:
        levels.append(
            {
                "level": level,
                "label": str(label),
                "steps": [
                    {"label": s.label, "description": s.description}
                    for s in steps
                    if s.level == level
                ],
            }
        )
    links = ChangeLink.objects.filter(source__plan=plan).select_related("source", "target")
    return {
        "version": plan.version,
        "summary": plan.summary,
        "methods": plan.methods,
        "calendar": plan.calendar,
        "evidence_level": plan.evidence_level,
        "evidence_level_label": plan.get_evidence_level_display(),
        "stakeholder_groups": [
            {"name": g.name, "kind": g.get_kind_display(), "description": g.description}
            for g in plan.stakeholder_groups.order_by("kind", "name", "pk")
        ],
        "questions": [
            {"criterion": q.get_criterion_display(), "text": q.text, "methods": q.methods}
            for q in plan.questions.order_by("position", "pk")
        ],
        "theory_of_change": {
            "levels": levels,
            "links": [
                {
                    "source": link.source.label,
                    "target": link.target.label,
                    "assumption": link.assumption,
                }
                for link in links.order_by(
                    "source__position", "source__pk", "target__position", "pk"
                )
            ],
        },
    }


def _surveys(project) -> list[dict[str, Any]]:
    """Each survey, its waves and, per closed question, each wave's results side by side (as
    on the comparison page: a wave under écoute's minimum group size is masked, `None`)."""
    from evaluation.services.participation import waves_compare

    surveys = (
        Survey.objects.filter(project=project)
        .select_related("stakeholder_group", "questionnaire")
        .order_by("created_at", "pk")
    )
    rows = []
    for survey in surveys:
        waves, compared = waves_compare(survey)
        rows.append(
            {
                "title": survey.title,
                "stakeholder_group": survey.stakeholder_group.name
                if survey.stakeholder_group
                else "",
                "waves": [
                    {
                        "label": w.label or w.get_kind_display(),
                        "kind": w.get_kind_display(),
                        "opens_on": _str(w.opens_on),
                        "closes_on": _str(w.closes_on),
                        "responses": w.n_answers,
                    }
                    for w in waves
                ],
                "questions": [q for q in map(_compared_question, compared) if q is not None],
            }
        )
    return rows


def _compared_question(compared) -> dict[str, Any] | None:
    """A closed question's results per wave: the share of each option (choices), or the mean
    (scales and numbers). Free texts, dates and consents stay out of the report."""
    shown = [c.result for c in compared.columns if c.result is not None]
    if not shown:
        return None
    kind = shown[0].question.kind
    if kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
        rows = []
        for index, first in enumerate(shown[0].options):
            if first.is_hidden:
                continue
            label = first.label
            values = []
            for column in compared.columns:
                option = column.result.options[index] if column.result is not None else None
                percent = option.percent if option is not None else None
                values.append(None if percent is None else f"{percent:.1f}")
            rows.append({"label": label, "values": values})
        return {"label": compared.label, "measure": "percent", "rows": rows}
    if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        values = [
            None if c.result is None or c.result.mean is None else f"{c.result.mean:.2f}"
            for c in compared.columns
        ]
        return {
            "label": compared.label,
            "measure": "mean",
            "rows": [{"label": "", "values": values}],
        }
    return None


def _testimonies(project) -> list[dict[str, Any]]:
    # Consent is the rule: a testimony without it never enters a report.
    testimonies = (
        Testimony.objects.filter(project=project, consent_to_quote=True)
        .select_related("stakeholder_group", "caf")
        .order_by("-collected_on", "pk")
    )
    # Personal data typed into a testimony (a phone number, a NIR…) is masked, as in every
    # quote the analysis of texts shows.
    return [
        {
            "text": mask(t.text)[0],
            "tone": t.tone,
            "tone_label": t.get_tone_display(),
            "stakeholder_group": t.stakeholder_group.name if t.stakeholder_group else "",
            "caf": t.caf.name if t.caf else "",
            "collected_on": _str(t.collected_on),
        }
        for t in testimonies
    ]


def _coded_themes(project) -> list[dict[str, Any]]:
    """The coded themes of the analyses of the project's testimonies and surveys (analysis of
    texts): codes, counts and shares under the small-group rule, masked quotes of quotable
    texts only (`analysis.results.report_summary`). Analyses with no code are left out."""
    from analysis.results import report_summary
    from evaluation.analysis_sources import TESTIMONIES, project_analyses

    summaries = []
    for analysis in project_analyses(project).select_related("consultation"):
        summary = report_summary(analysis)
        if not summary["codes"] and not summary["is_masked"]:
            continue
        summary["source"] = "testimonies" if analysis.source == TESTIMONIES else "survey"
        summaries.append(summary)
    return summaries


def _effects(project) -> list[dict[str, Any]]:
    effects = (
        Effect.objects.filter(project=project)
        .select_related("caf", "owner")
        .order_by("status", "-severity", "created_at", "pk")
    )
    return [
        {
            "nature": e.nature,
            "nature_label": e.get_nature_display(),
            "description": e.description,
            "affected": e.affected,
            "severity": e.severity,
            "severity_label": e.get_severity_display(),
            "likelihood_label": e.get_likelihood_display(),
            "mitigation": e.mitigation,
            "status": e.status,
            "status_label": e.get_status_display(),
            "caf": e.caf.name if e.caf else "",
            "owner": _name(e.owner),
            "is_blocking": e.is_blocking,
        }
        for e in effects
    ]


def _judgements(project) -> list[dict[str, Any]]:
    judgements = Judgement.objects.filter(project=project).select_related("judged_by")
    rows = sorted(judgements, key=lambda j: Criterion.values.index(j.criterion))
    return [
        {
            "criterion": j.criterion,
            "criterion_label": j.get_criterion_display(),
            "rating": j.rating,
            "rating_label": j.get_rating_display(),
            "rationale": j.rationale,
            "evidence": j.evidence,
            "judged_by": _name(j.judged_by),
        }
        for j in rows
    ]


def _ecological(project) -> list[dict[str, Any]]:
    objectives = EcologicalRating.Objective.values
    ratings = sorted(
        EcologicalRating.objects.filter(project=project),
        key=lambda r: objectives.index(r.objective),
    )
    return [
        {
            "objective": r.objective,
            "objective_label": r.get_objective_display(),
            "rating": r.rating,
            "rating_label": r.get_rating_display(),
            "justification": r.justification,
        }
        for r in ratings
    ]


def _recommendations(project) -> list[dict[str, Any]]:
    recommendations = (
        Recommendation.objects.filter(project=project)
        .select_related("response__owner")
        .order_by("position", "pk")
    )
    rows = []
    for r in recommendations:
        response = getattr(r, "response", None)
        rows.append(
            {
                "text": r.text,
                "criterion_label": r.get_criterion_display() if r.criterion else "",
                "response": {
                    "decision": response.decision,
                    "decision_label": response.get_decision_display(),
                    "action": response.action,
                    "owner": _name(response.owner),
                    "due_on": _str(response.due_on),
                    "done_on": _str(response.done_on),
                }
                if response
                else None,
            }
        )
    return rows


def project_snapshot(project) -> dict[str, Any]:
    """Everything a project's impact report shows, frozen now."""
    indicators = _indicators(project)
    return {
        "version": SNAPSHOT_VERSION,
        "scope": "project",
        "taken_at": timezone.now().isoformat(),
        "project": {
            "code": project.code,
            "title": project.title,
            "problem": project.problem,
            "solution": project.solution,
            "target_publics": project.target_publics,
            "stage": project.stage,
            "stage_label": project.get_stage_display(),
            "lead": _name(project.lead),
            "pilot_caf": project.pilot_caf.name if project.pilot_caf_id else "",
            "started_on": _str(project.started_on),
            "target_end_on": _str(project.target_end_on),
        },
        "plan": _plan(project),
        "indicators": indicators,
        "deployments": _deployments(project, indicators),
        "surveys": _surveys(project),
        "testimonies": _testimonies(project),
        "coded_themes": _coded_themes(project),
        "effects": _effects(project),
        "judgements": _judgements(project),
        "ecological": _ecological(project),
        "recommendations": _recommendations(project),
    }


# --- the portfolio ----------------------------------------------------------------------------


def _count(model, **filters) -> Coalesce:
    """A per-project count computed by the database (a correlated subquery, so several of them
    on one query never multiply each other's rows)."""
    counted = (
        model.objects.filter(project=OuterRef("pk"), **filters)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def portfolio_snapshot() -> dict[str, Any]:
    """Per evaluated project (non-draft, with a plan or indicators): stage, evidence level,
    indicators against target, open severe effects, judgements and ecological ratings, counted
    by the database; then totals."""
    from projects.models import Project

    evaluated = Q(evaluation_plan__isnull=False) | Q(pk__in=Indicator.objects.values("project"))
    blocking = Effect.objects.blocking().filter(project=OuterRef("pk"))
    mean_rating = (
        Judgement.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(mean=Avg("rating"))
        .values("mean")
    )
    projects = list(
        Project.objects.filter(is_draft=False)
        .filter(evaluated)
        .annotate(
            evidence_level=Coalesce("evaluation_plan__evidence_level", Value(0)),
            n_blocking=Coalesce(
                Subquery(
                    blocking.order_by().values("project").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            n_unresolved=_count(Effect, status__in=[Effect.Status.OPEN, Effect.Status.MITIGATING]),
            n_judgements=_count(Judgement),
            n_judgements_low=_count(Judgement, rating__lte=Judgement.Rating.PARTIAL),
            mean_rating=Subquery(mean_rating),
            n_eco_positive=_count(EcologicalRating, rating=EcologicalRating.Rating.POSITIVE),
            n_eco_neutral=_count(EcologicalRating, rating=EcologicalRating.Rating.NEUTRAL),
            n_eco_negative=_count(EcologicalRating, rating=EcologicalRating.Rating.NEGATIVE),
        )
        .order_by("code")
    )
    statuses = _indicator_statuses([p.pk for p in projects])
    evidence = dict(EvidenceLevel.choices)
    rows = []
    for p in projects:
        counts = statuses.get(p.pk, {})
        rows.append(
            {
                "code": p.code,
                "title": p.title,
                "stage": p.stage,
                "stage_label": p.get_stage_display(),
                "evidence_level": p.evidence_level,
                "evidence_level_label": str(evidence.get(p.evidence_level, "")),
                "indicators": {
                    key: counts.get(key, 0) for key in (REACHED, IMPROVING, OFF_TRACK, NO_DATA)
                },
                "open_severe_effects": p.n_blocking,
                "unresolved_effects": p.n_unresolved,
                "judgements": p.n_judgements,
                "judgements_low": p.n_judgements_low,
                "mean_rating": _str(round(Decimal(p.mean_rating), 1)) if p.mean_rating else None,
                "ecological": {
                    "positive": p.n_eco_positive,
                    "neutral": p.n_eco_neutral,
                    "negative": p.n_eco_negative,
                },
            }
        )
    return {
        "version": SNAPSHOT_VERSION,
        "scope": "portfolio",
        "taken_at": timezone.now().isoformat(),
        "projects": rows,
        "totals": {
            "projects": len(rows),
            "indicators": {
                key: sum(r["indicators"][key] for r in rows)
                for key in (REACHED, IMPROVING, OFF_TRACK, NO_DATA)
            },
            "open_severe_effects": sum(r["open_severe_effects"] for r in rows),
            "ecological_negative": sum(r["ecological"]["negative"] for r in rows),
        },
    }


def _indicator_statuses(project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per project, how many indicators are reached, improving, off track or without data: one
    query, the latest national value and the final target read by subqueries."""
    national = Measurement.objects.filter(indicator=OuterRef("pk"), caf__isnull=True).order_by(
        "-period"
    )
    per_caf = (
        Measurement.objects.filter(indicator=OuterRef("pk"), caf__isnull=False)
        .values("period")
        .annotate(mean=Avg("value"))
        .order_by("-period")
    )
    final_target = IndicatorTarget.objects.filter(indicator=OuterRef("pk")).order_by("-period")
    indicators = Indicator.objects.filter(project__in=project_ids).annotate(
        national_value=Subquery(national.values("value")[:1]),
        national_period=Subquery(national.values("period")[:1]),
        caf_mean=Subquery(per_caf.values("mean")[:1]),
        caf_period=Subquery(per_caf.values("period")[:1]),
        target_value=Subquery(final_target.values("value")[:1]),
    )
    counts: dict[int, dict[str, int]] = {}
    for i in indicators.values(
        "project",
        "direction",
        "baseline_value",
        "national_value",
        "national_period",
        "caf_mean",
        "caf_period",
        "target_value",
    ):
        # The latest period measured: its national value, else the mean of its Caf values.
        national_first = i["national_period"] is not None and (
            i["caf_period"] is None or str(i["national_period"]) >= str(i["caf_period"])
        )
        latest = i["national_value"] if national_first else i["caf_mean"]
        status = indicator_status(
            i["direction"],
            _decimal(i["baseline_value"]),
            _decimal(latest),
            _decimal(i["target_value"]),
        )
        per_project = counts.setdefault(i["project"], {})
        per_project[status] = per_project.get(status, 0) + 1
    return counts


def _decimal(value: Any) -> Decimal | None:
    # SQLite hands subquery decimals back as floats or strings.
    return None if value is None else Decimal(str(value))
