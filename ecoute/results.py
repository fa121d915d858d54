"""A questionnaire's results, aggregated by the database: counts per option, distribution and
mean for scales, ranks, numbers and dates, segmented by audience (usagers, agents) or by Caf.

A segment smaller than MIN_GROUP_SIZE responses is never shown: its results are masked (too few
people: the answers could point back to someone). Each statistic is one grouped query over the
questionnaire's own answer rows (Answer carries its questionnaire, audience and Caf), and
`raw_aggregates` computes the whole questionnaire and every segment at once, grouped by
audience and by Caf. Those raw aggregates (counts and means keyed by question and option ids)
are stored as `ResultsSnapshot` rows by a task (ecoute.services.results): the results page
labels a snapshot, it never aggregates answers itself. Reusable by any owner of a
questionnaire.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q
from django.utils.translation import gettext as _

from caflab.core import charts
from caflab.core.numbers import fr_number
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

    def answer_filter(self, prefix: str = "") -> dict[str, Any]:
        """The same group, on the answers' own copies of their response's columns."""
        return self.response_filter(prefix)


def _answer_scope(questionnaire: Questionnaire, segment: Any) -> dict[str, Any]:
    """Filter of `questionnaire`'s answers in `segment`: on the answer's own columns for an
    audience or a Caf, through the response for another app's segment (an evaluation wave)."""
    scope: dict[str, Any] = {"questionnaire": questionnaire}
    if segment is None:
        return scope
    if hasattr(segment, "answer_filter"):
        scope.update(segment.answer_filter())
    else:
        scope.update(segment.response_filter("response__"))
    return scope


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


def raw_groups(questionnaire: Questionnaire) -> dict[str, list]:
    """Responses per audience and per Caf, as stored in a snapshot (2 queries):
    {"audience": [[value, n], …], "caf": [[code, name, n, caf id], …]}."""
    responses = Response.objects.filter(questionnaire=questionnaire).order_by()
    return {
        "audience": [
            [row["audience"], row["n"]]
            for row in responses.values("audience").annotate(n=Count("pk")).order_by("audience")
        ],
        "caf": [
            [row["caf__code"], row["caf__name"], row["n"], row["caf_id"]]
            for row in responses.filter(caf__isnull=False)
            .values("caf_id", "caf__code", "caf__name", "caf__position")
            .annotate(n=Count("pk"))
            .order_by("caf__position")
        ],
    }


def groups_from_raw(raw: dict[str, list]) -> Groups:
    labels = dict(Audience.choices)
    by_audience = [
        Group(Segment("audience", value, str(labels.get(value, ""))), n)
        for value, n in raw.get("audience", [])
    ]
    by_caf = [Group(Segment("caf", code, name), n) for code, name, n, *_ in raw.get("caf", [])]
    return Groups(sum(g.count for g in by_audience), by_audience, by_caf)


def response_groups(questionnaire: Questionnaire) -> Groups:
    """Responses per audience and per Caf (2 queries)."""
    return groups_from_raw(raw_groups(questionnaire))


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
    return fr_number(value, 1)


def scale_label(question: Question, value: int) -> str:
    if value == question.scale_min and question.scale_min_label:
        return f"{value} – {question.scale_min_label}"
    if value == question.scale_max and question.scale_max_label:
        return f"{value} – {question.scale_max_label}"
    return str(value)


def ordered_questions(questionnaire: Questionnaire) -> list[Question]:
    """The questionnaire's questions in order, with their section and options (2 queries)."""
    return sorted(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .prefetch_related("options"),
        key=order_key,
    )


STAT_KEYS = ("n", "mean", "low", "high", "first", "last", "consents", "texts", "others")


def _empty_raw() -> dict[str, dict]:
    return {"stats": {}, "options": {}, "scales": {}}


def raw_aggregates(
    questionnaire: Questionnaire, segment: Any = None, *, group_by: str | None = None
) -> dict[Any, dict[str, dict]]:
    """The answers' aggregates of `questionnaire` (in `segment`), three grouped queries over its
    own answer rows: per-question statistics, per-option counts, scale distributions.

    Without `group_by`, {None: raw}; with `group_by` ("audience" or "caf", an Answer
    column), one raw per value of that column. A raw is JSON-ready:
    {"stats": {question id: {n, mean, low, high, first, last, consents, texts, others}},
     "options": {option id: [n, mean rank, times ranked first]},
     "scales": {question id: {value: n}}} (keys are strings, numbers as text)."""
    answers = Answer.objects.filter(**_answer_scope(questionnaire, segment)).order_by()
    keys = [group_by] if group_by else []
    raws: dict[Any, dict[str, dict]] = defaultdict(_empty_raw)
    for row in answers.values(*keys, "question_id").annotate(
        n=Count("pk"),
        mean=Avg("value_number"),
        low=Min("value_number"),
        high=Max("value_number"),
        first=Min("value_date"),
        last=Max("value_date"),
        consents=Count("pk", filter=Q(value_bool=True)),
        texts=Count("pk", filter=~Q(value_text="")),
        others=Count("pk", filter=~Q(other_text="")),
    ):
        stats = {key: _json_value(row[key]) for key in STAT_KEYS}
        raws[row.get(group_by)]["stats"][str(row["question_id"])] = stats
    choices = AnswerChoice.objects.filter(
        **{f"answer__{key}": value for key, value in _answer_scope(questionnaire, segment).items()}
    ).order_by()
    choice_keys = [f"answer__{group_by}"] if group_by else []
    for row in choices.values(*choice_keys, "option_id").annotate(
        n=Count("pk"), mean_rank=Avg("rank"), firsts=Count("pk", filter=Q(rank=1))
    ):
        group = row.get(f"answer__{group_by}") if group_by else None
        raws[group]["options"][str(row["option_id"])] = [
            row["n"],
            row["mean_rank"],
            row["firsts"],
        ]
    for row in (
        answers.filter(question__kind=Kind.SCALE, value_number__isnull=False)
        .values(*keys, "question_id", "value_number")
        .annotate(n=Count("pk"))
    ):
        scales = raws[row.get(group_by)]["scales"]
        scales.setdefault(str(row["question_id"]), {})[str(int(row["value_number"]))] = row["n"]
    if not group_by:
        raws[None]
    return dict(raws)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: Any) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def build_results(questions: list[Question], raw: dict[str, dict]) -> list[QuestionResult]:
    """Label raw aggregates (see `raw_aggregates`) with the questions, in questionnaire order
    (hidden questions included: their answers still count). No query when `questions` come
    from `ordered_questions`."""
    stats, per_option, scales = raw.get("stats", {}), raw.get("options", {}), raw.get("scales", {})
    results = []
    for number, question in enumerate(questions, start=1):
        row = stats.get(str(question.pk), {})
        result = QuestionResult(question=question, number=number, answered=row.get("n", 0))
        result.other_count = row.get("others", 0)
        result.text_count = row.get("texts", 0)
        if question.kind in CHOICE_KINDS:
            _choice_result(result, per_option)
        elif question.kind == Kind.SCALE:
            counts = {int(v): n for v, n in scales.get(str(question.pk), {}).items()}
            _scale_result(result, row, counts)
        elif question.kind == Kind.NUMBER:
            result.mean = _number(_decimal(row.get("mean")))
            result.minimum = _number(_decimal(row.get("low")))
            result.maximum = _number(_decimal(row.get("high")))
        elif question.kind == Kind.DATE:
            result.minimum, result.maximum = _date(row.get("first")), _date(row.get("last"))
        elif question.kind == Kind.CONSENT:
            result.consents = row.get("consents", 0)
        results.append(result)
    return results


def questionnaire_results(
    questionnaire: Questionnaire, segment: Any = None
) -> list[QuestionResult]:
    """Per-question results of `questionnaire`, for everyone or one segment, computed now (five
    queries: questions, options, and the three of `raw_aggregates`). The results page reads
    the stored snapshot instead (ecoute.services.results)."""
    questions = ordered_questions(questionnaire)
    return build_results(questions, raw_aggregates(questionnaire, segment)[None])


def _choice_result(result: QuestionResult, per_option: dict[str, list]) -> None:
    question = result.question
    for option in question.options.all():
        n, mean_rank, firsts = per_option.get(str(option.pk), (0, None, 0))
        count = firsts if question.kind == Kind.RANKING else n
        result.options.append(
            OptionRow(
                label=option.label,
                count=count,
                percent=_percent(count, result.answered),
                mean_rank=round(mean_rank, 2) if mean_rank else None,
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
        [charts.ChartRow(row.label, row.count) for row in result.options],
        label_header=_("Réponse"),
        value_header=value_header,
        # Several answers a person for some questions: a share of the respondents, not of the
        # answers.
        shares=True,
        whole=result.answered,
        share_header=_("Part des répondants"),
        share_decimals=1,
    )


def _scale_result(result: QuestionResult, row: dict, counts: dict[int, int]) -> None:
    question = result.question
    result.mean = _number(_decimal(row.get("mean")))
    result.minimum = _number(_decimal(row.get("low")))
    result.maximum = _number(_decimal(row.get("high")))
    values = range(question.scale_min or 0, (question.scale_max or 0) + 1)
    result.distribution = [(scale_label(question, v), counts.get(v, 0)) for v in values]
    result.chart = charts.bar_chart(
        f"resultat-q{question.pk}",
        _("Q%(n)s. %(label)s") % {"n": result.number, "label": question.label},
        [charts.ChartRow(label, count) for label, count in result.distribution],
        label_header=_("Note"),
        value_header=_("Réponses"),
        shares=True,
        whole=result.answered,
        share_header=_("Part des répondants"),
        share_decimals=1,
    )


def free_text_answers(question: Question, segment: Segment | None = None):
    """The non-empty free texts of `question` (its text, or its "other, specify"), newest day
    first: for staff to read, never linked to a respondent."""
    answers = Answer.objects.filter(
        **_answer_scope(question.questionnaire_id, segment), question=question
    )
    if question.kind in TEXT_KINDS:
        answers = answers.exclude(value_text="")
    else:
        answers = answers.exclude(other_text="")
    return answers.select_related("response").order_by("-response__submitted_on", "pk")
