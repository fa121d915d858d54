"""A questionnaire's results, aggregated by the database: counts per option, distribution and
mean for scales, ranks, numbers and dates, segmented by audience (usagers, agents) or by Caf.

A segment smaller than MIN_GROUP_SIZE responses is never shown: its results are masked (too few
people: the answers could point back to someone). The page costs a fixed number of queries
whatever the number of responses: each statistic is one grouped query over the answer rows.
Reusable by any owner of a questionnaire.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q
from django.utils.translation import gettext as _

from ecoute.models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    Answer,
    AnswerChoice,
    Audience,
    Question,
    Questionnaire,
    Response,
)
from ecoute.plan import order_key
from projects import charts

MIN_GROUP_SIZE = 5
Kind = Question.Kind


@dataclass(frozen=True)
class Segment:
    """A group of respondents: `kind` "audience" (value: an Audience) or "caf" (value: the Caf's
    code). Its `key` travels in the URL (?segment=audience:citizen, ?segment=caf:38)."""

    kind: str
    value: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    def response_filter(self, prefix: str = "") -> dict[str, Any]:
        if self.kind == "audience":
            return {f"{prefix}audience": self.value}
        return {f"{prefix}caf__code": self.value}


@dataclass
class Group:
    segment: Segment
    count: int

    @property
    def is_masked(self) -> bool:
        return self.count < MIN_GROUP_SIZE


@dataclass
class Groups:
    total: int
    by_audience: list[Group]
    by_caf: list[Group]

    def find(self, key: str) -> Group | None:
        return next((g for g in self.by_audience + self.by_caf if g.segment.key == key), None)


def response_groups(questionnaire: Questionnaire) -> Groups:
    """Responses per audience and per Caf (2 queries)."""
    responses = Response.objects.filter(questionnaire=questionnaire).order_by()
    labels = dict(Audience.choices)
    by_audience = [
        Group(Segment("audience", row["audience"], str(labels.get(row["audience"], ""))), row["n"])
        for row in responses.values("audience").annotate(n=Count("pk")).order_by("audience")
    ]
    by_caf = [
        Group(Segment("caf", row["caf__code"], row["caf__name"]), row["n"])
        for row in responses.filter(caf__isnull=False)
        .values("caf__code", "caf__name", "caf__position")
        .annotate(n=Count("pk"))
        .order_by("caf__position")
    ]
    return Groups(sum(g.count for g in by_audience), by_audience, by_caf)


@dataclass
class OptionRow:
    label: str
    count: int
    percent: float | None
    mean_rank: float | None = None
    is_other: bool = False
    is_hidden: bool = False


@dataclass
class QuestionResult:
    question: Question
    number: int
    answered: int = 0
    options: list[OptionRow] = field(default_factory=list)
    mean: float | None = None
    minimum: Any = None
    maximum: Any = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    consents: int = 0
    text_count: int = 0
    other_count: int = 0
    chart: Any = None

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def has_free_text(self) -> bool:
        return self.question.kind in TEXT_KINDS or self.other_count > 0


def _percent(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(round(value, 2))


def _fr(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def scale_label(question: Question, value: int) -> str:
    if value == question.scale_min and question.scale_min_label:
        return f"{value} – {question.scale_min_label}"
    if value == question.scale_max and question.scale_max_label:
        return f"{value} – {question.scale_max_label}"
    return str(value)


def questionnaire_results(
    questionnaire: Questionnaire, segment: Segment | None = None
) -> list[QuestionResult]:
    """Per-question results of `questionnaire`, for everyone or one segment, in questionnaire
    order (hidden questions included: their answers still count). Five queries: questions,
    options, per-question statistics, per-option counts, scale distributions."""
    questions = sorted(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .prefetch_related("options"),
        key=order_key,
    )
    scope = {"response__questionnaire": questionnaire}
    if segment is not None:
        scope.update(segment.response_filter("response__"))
    answers = Answer.objects.filter(**scope).order_by()
    stats = {
        row["question_id"]: row
        for row in answers.values("question_id").annotate(
            n=Count("pk"),
            mean=Avg("value_number"),
            low=Min("value_number"),
            high=Max("value_number"),
            first=Min("value_date"),
            last=Max("value_date"),
            consents=Count("pk", filter=Q(value_bool=True)),
            texts=Count("pk", filter=~Q(value_text="")),
            others=Count("pk", filter=~Q(other_text="")),
        )
    }
    choice_scope = {f"answer__{key}": value for key, value in scope.items()}
    per_option = {
        row["option_id"]: row
        for row in AnswerChoice.objects.filter(**choice_scope)
        .order_by()
        .values("option_id")
        .annotate(n=Count("pk"), mean_rank=Avg("rank"), firsts=Count("pk", filter=Q(rank=1)))
    }
    distribution: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        answers.filter(question__kind=Kind.SCALE, value_number__isnull=False)
        .values("question_id", "value_number")
        .annotate(n=Count("pk"))
    ):
        distribution[row["question_id"]][int(row["value_number"])] = row["n"]

    results = []
    for number, question in enumerate(questions, start=1):
        row = stats.get(question.pk, {})
        result = QuestionResult(question=question, number=number, answered=row.get("n", 0))
        result.other_count = row.get("others", 0)
        result.text_count = row.get("texts", 0)
        if question.kind in CHOICE_KINDS:
            _choice_result(result, per_option)
        elif question.kind == Kind.SCALE:
            _scale_result(result, row, distribution[question.pk])
        elif question.kind == Kind.NUMBER:
            result.mean = _number(row.get("mean"))
            result.minimum, result.maximum = _number(row.get("low")), _number(row.get("high"))
        elif question.kind == Kind.DATE:
            result.minimum, result.maximum = row.get("first"), row.get("last")
        elif question.kind == Kind.CONSENT:
            result.consents = row.get("consents", 0)
        results.append(result)
    return results


def _choice_result(result: QuestionResult, per_option: dict[int, dict]) -> None:
    question = result.question
    for option in question.options.all():
        row = per_option.get(option.pk, {})
        count = row.get("firsts" if question.kind == Kind.RANKING else "n", 0)
        result.options.append(
            OptionRow(
                label=option.label,
                count=count,
                percent=_percent(count, result.answered),
                mean_rank=round(row["mean_rank"], 2) if row.get("mean_rank") else None,
                is_hidden=option.is_hidden,
            )
        )
    if question.allow_other or result.other_count:
        result.options.append(
            OptionRow(
                label=question.other_label or _("Autre"),
                count=result.other_count,
                percent=_percent(result.other_count, result.answered),
                is_other=True,
            )
        )
    if question.kind == Kind.RANKING:
        title = _("Q%(n)s. Nombre de fois classée en premier") % {"n": result.number}
        value_header = _("Classée 1re")
    else:
        title = _("Q%(n)s. %(label)s") % {"n": result.number, "label": question.label}
        value_header = _("Réponses")
    result.chart = charts.bar_chart(
        f"resultat-q{question.pk}",
        title,
        [
            charts.ChartRow(
                row.label,
                row.count,
                note=f"{_fr(row.percent)} %" if row.percent is not None else "",
            )
            for row in result.options
        ],
        label_header=_("Réponse"),
        value_header=value_header,
        note_header=_("Part des répondants"),
    )


def _scale_result(result: QuestionResult, row: dict, counts: dict[int, int]) -> None:
    question = result.question
    result.mean = _number(row.get("mean"))
    result.minimum, result.maximum = _number(row.get("low")), _number(row.get("high"))
    values = range(question.scale_min or 0, (question.scale_max or 0) + 1)
    result.distribution = [(scale_label(question, v), counts.get(v, 0)) for v in values]
    result.chart = charts.bar_chart(
        f"resultat-q{question.pk}",
        _("Q%(n)s. %(label)s") % {"n": result.number, "label": question.label},
        [
            charts.ChartRow(label, count, note=f"{_fr(_percent(count, result.answered))} %")
            for label, count in result.distribution
        ],
        label_header=_("Note"),
        value_header=_("Réponses"),
        note_header=_("Part des répondants"),
    )


def free_text_answers(question: Question, segment: Segment | None = None):
    """The non-empty free texts of `question` (its text, or its "other, specify"), newest day
    first: for staff to read, never linked to a respondent."""
    answers = Answer.objects.filter(question=question)
    if segment is not None:
        answers = answers.filter(**segment.response_filter("response__"))
    if question.kind in TEXT_KINDS:
        answers = answers.exclude(value_text="")
    else:
        answers = answers.exclude(other_text="")
    return answers.select_related("response").order_by("-response__submitted_on", "pk")
