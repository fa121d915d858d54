"""An analysis and its texts: created once per consultation, its texts copied from the open
answers of the consultation's questionnaire (short and long text, "other, specify") and from
its contributions, then grouped when identical or near-identical. Or created once per subject
of a source another app registered (`analysis.sources`: a project's testimonies, an evaluation
survey's open answers), its texts given by the source.

A small source is copied at once; a large one by a task (`analysis.tasks.build_texts`), the
page saying so meanwhile. Copying again follows the source (one row per source row: the
unique constraint), so it is safe to run twice and keeps the codes already applied: what is new
is added, a text edited or whose author changed their mind about being quoted is updated, and
a text the source no longer gives (hidden or refused by the moderation, deleted) is removed.

A source's app also says at once when texts stop being shown (`caflab.core.textsources`,
`texts_withdrawn`): their copies go then (`texts_withdraw_copies`), not at the next copy."""

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import nlp, tasks
from analysis.masking import fold, mask
from analysis.models import Analysis, AnalysisText, CodeAssignment, SourceKind
from analysis.sources import Source, SourceText
from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone
from caflab.core.queueing import enqueue_on_commit
from ecoute.models import TEXT_KINDS, Answer, Consultation, Contribution, Questionnaire

# Up to this many source rows (setting ANALYSIS_INLINE_TEXTS), the texts are copied during
# the request; beyond, by a task.
INLINE_LIMIT = 3000
BATCH = 2000
# Contributions analysed: not those refused or hidden by the moderation.
ANALYSED_CONTRIBUTIONS = (
    Contribution.Status.PUBLISHED,
    Contribution.Status.PENDING,
    Contribution.Status.REPORTED,
)


def fingerprint(text: str) -> str:
    """The same for texts equal but for case, accents, spaces and punctuation."""
    compact = re.sub(r"[\W_]+", "", fold(text))
    return hashlib.sha1(compact.encode(), usedforsecurity=False).hexdigest()


def _questionnaire(consultation: Consultation) -> Questionnaire | None:
    try:
        return consultation.questionnaire
    except Questionnaire.DoesNotExist:
        return None


def _answers(questionnaire: Questionnaire | None):
    if questionnaire is None:
        return Answer.objects.none()
    return Answer.objects.filter(questionnaire=questionnaire).order_by()


def source_count(consultation: Consultation) -> int:
    """How many rows the texts come from (2 queries)."""
    n = answer_count(_answers(_questionnaire(consultation)))
    return n + consultation.contributions.filter(status__in=ANALYSED_CONTRIBUTIONS).count()


def _text_row(analysis: Analysis, kind: str, source_id: int, text: str, **segment) -> AnalysisText:
    masked, has_personal_data = mask(text)
    return AnalysisText(
        analysis=analysis,
        source_kind=kind,
        source_id=source_id,
        text=text,
        masked_text=masked,
        has_personal_data=has_personal_data,
        folded=fold(text),
        fingerprint=fingerprint(text),
        **segment,
    )


def answer_texts(
    answers, *, wave_field: str | None = None, wave_names: dict[int, str] | None = None
) -> Iterator[SourceText]:
    """The open answers ("short and long text") and the "other, specify" of `answers` (a
    queryset of écoute's answers), quotable when anonymous. `wave_field` names the lookup of
    each answer's wave id (a source that knows its waves: an evaluation survey), `wave_names`
    their labels."""
    fields = ["pk", "question_id", "audience", "caf_id", "value_text", "other_text"]
    extra = {"anonymous": F("response__is_anonymous")}
    if wave_field:
        extra["wave_id"] = F(wave_field)
    answers = answers.order_by("pk").values(*fields).annotate(**extra)
    names = wave_names or {}

    def segment(row: dict) -> dict:
        return {
            "question_id": row["question_id"],
            "audience": row["audience"] or "",
            "caf_id": row["caf_id"],
            "wave": names.get(row.get("wave_id"), "")[:60],
            "is_quotable": bool(row["anonymous"]),
        }

    for row in answers.filter(question__kind__in=TEXT_KINDS).exclude(value_text="").iterator(BATCH):
        yield SourceText(SourceKind.ANSWER, row["pk"], row["value_text"], **segment(row))
    for row in answers.exclude(other_text="").iterator(BATCH):
        yield SourceText(SourceKind.OTHER, row["pk"], row["other_text"], **segment(row))


def answer_count(answers) -> int:
    """How many of `answers` give texts (1 query)."""
    return answers.filter(
        Q(question__kind__in=TEXT_KINDS) & ~Q(value_text="") | ~Q(other_text="")
    ).count()


def _consultation_texts(consultation: Consultation) -> Iterator[SourceText]:
    yield from answer_texts(_answers(_questionnaire(consultation)))
    contributions = (
        consultation.contributions.filter(status__in=ANALYSED_CONTRIBUTIONS)
        .order_by("pk")
        .values("pk", "title", "text", "caf_id", "status")
    )
    for row in contributions.iterator(chunk_size=BATCH):
        yield SourceText(
            SourceKind.CONTRIBUTION,
            row["pk"],
            f"{row['title']}. {row['text']}".strip(),
            caf_id=row["caf_id"],
            is_quotable=row["status"] == Contribution.Status.PUBLISHED,
        )


def _source_rows(analysis: Analysis) -> Iterator[AnalysisText]:
    if analysis.consultation_id:
        texts: Iterable[SourceText] = _consultation_texts(analysis.consultation)
    else:
        source, subject = analysis.registered_source, analysis.subject
        texts = source.texts(subject) if source and subject is not None else ()
    for item in texts:
        yield _text_row(
            analysis,
            item.kind,
            item.source_id,
            item.text,
            question_id=item.question_id,
            audience=item.audience,
            caf_id=item.caf_id,
            wave=item.wave,
            is_quotable=item.is_quotable,
        )


def _analysis_source_count(analysis: Analysis) -> int:
    if analysis.consultation_id:
        return source_count(analysis.consultation)
    source, subject = analysis.registered_source, analysis.subject
    return source.count(subject) if source and subject is not None else 0


def analysis_create(*, consultation: Consultation, by: User) -> Analysis:
    """The consultation's analysis, created with its texts (copied now when the source is
    small, by a task otherwise). One per consultation: a second call returns the first."""
    existing = Analysis.objects.filter(consultation=consultation).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            analysis = Analysis.objects.create(
                consultation=consultation, title=consultation.title[:200], created_by=by
            )
    except IntegrityError:  # created meanwhile by someone else
        return Analysis.objects.get(consultation=consultation)
    texts_request(analysis=analysis)
    return analysis


def analysis_create_for(*, source: Source, subject: Any, by: User) -> Analysis:
    """The analysis of a registered source's subject (a project's testimonies, an evaluation
    survey), created with its texts. One per subject: a second call returns the first."""
    existing = Analysis.objects.filter(source=source.key, subject_id=subject.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            analysis = Analysis.objects.create(
                source=source.key,
                subject_id=subject.pk,
                title=source.title(subject)[:200],
                created_by=by,
            )
    except IntegrityError:  # created meanwhile by someone else
        return Analysis.objects.get(source=source.key, subject_id=subject.pk)
    texts_request(analysis=analysis)
    return analysis


@transaction.atomic
def texts_request(*, analysis: Analysis) -> Analysis:
    """Copy the texts again (what is new only): at once when the source is small, else by a
    task. Refused while a copy is under way."""
    locked = Analysis.objects.select_for_update().get(pk=analysis.pk)
    if locked.texts_status == Analysis.TextsStatus.BUILDING:
        raise AlreadyDone(_("Les textes sont déjà en cours de rassemblement."))
    if _analysis_source_count(locked) <= getattr(settings, "ANALYSIS_INLINE_TEXTS", INLINE_LIMIT):
        texts_build(analysis_id=locked.pk)
    else:
        locked.texts_status = Analysis.TextsStatus.BUILDING
        locked.save(update_fields=["texts_status", "updated_at"])
        enqueue_on_commit(tasks.build_texts, locked.pk)
    analysis.refresh_from_db()
    return analysis


# What copying again updates on a text already copied (its codes stay).
FOLLOWED_FIELDS = [
    "text",
    "masked_text",
    "has_personal_data",
    "folded",
    "fingerprint",
    "is_quotable",
    "question",
    "audience",
    "caf",
    "wave",
]


def _copy(batch: list[AnalysisText]) -> None:
    AnalysisText.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["analysis", "source_kind", "source_id"],
        update_fields=FOLLOWED_FIELDS,
    )


def texts_build(*, analysis_id: int) -> int:
    """Copy the source's texts: add the new ones, update those changed, remove those the source
    no longer gives; then group the duplicates and count. Safe to run twice."""
    analysis = Analysis.objects.select_related("consultation").get(pk=analysis_id)
    batch: list[AnalysisText] = []
    given: set[tuple[str, int]] = set()
    for row in _source_rows(analysis):
        given.add((row.source_kind, row.source_id))
        batch.append(row)
        if len(batch) >= BATCH:
            _copy(batch)
            batch = []
    if batch:
        _copy(batch)
    copied = AnalysisText.objects.filter(analysis=analysis).values_list(
        "pk", "source_kind", "source_id"
    )
    gone = [pk for pk, kind, source_id in copied.iterator(BATCH) if (kind, source_id) not in given]
    texts_remove(analysis_id=analysis.pk, pks=gone)
    duplicates_group(analysis=analysis)
    n_texts = AnalysisText.objects.filter(analysis=analysis).count()
    Analysis.objects.filter(pk=analysis.pk).update(
        texts_status=Analysis.TextsStatus.READY,
        texts_built_at=timezone.now(),
        n_texts=n_texts,
        waves=text_waves(analysis.pk),
        updated_at=timezone.now(),
    )
    return n_texts


@transaction.atomic
def texts_remove(*, analysis_id: int, pks: Iterable[int]) -> int:
    """Remove these texts of the analysis (their source no longer shows them), with the codes
    and blind codings given to them. A group of duplicates whose first text goes keeps its
    codes: they pass to the group's next text, which heads it from then on; the group's size
    and the analysis' count follow at once. Returns how many texts were removed."""
    pks = set(pks)
    if not pks:
        return 0
    texts = AnalysisText.objects.filter(analysis_id=analysis_id)
    heads = {
        duplicate_of or pk
        for pk, duplicate_of in texts.filter(pk__in=pks).values_list("pk", "duplicate_of_id")
    }
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, duplicate_of in (
        texts.filter(Q(pk__in=heads) | Q(duplicate_of__in=heads))
        .order_by("pk")
        .values_list("pk", "duplicate_of_id")
    ):
        groups[duplicate_of or pk].append(pk)
    for head, members in groups.items():
        kept = [pk for pk in members if pk not in pks]
        if not kept:
            continue
        if head not in pks:
            texts.filter(pk=head).update(group_size=len(kept))
            continue
        new_head, others = kept[0], kept[1:]
        texts.filter(pk=new_head).update(duplicate_of=None, group_size=len(kept))
        texts.filter(pk__in=others).update(duplicate_of=new_head, group_size=1)
        CodeAssignment.objects.filter(text_id=head).exclude(
            code__in=CodeAssignment.objects.filter(text_id=new_head).values("code")
        ).update(text_id=new_head)
    _total, by_model = texts.filter(pk__in=pks).delete()
    Analysis.objects.filter(pk=analysis_id).update(
        n_texts=AnalysisText.objects.filter(analysis_id=analysis_id).count(),
        updated_at=timezone.now(),
    )
    return by_model.get(AnalysisText._meta.label, 0)


def texts_withdraw_copies(*, kind: str, source_ids: list[int], **kwargs: Any) -> int:
    """The receiver of `caflab.core.textsources.texts_withdrawn`: remove the copies of these
    texts from every analysis that holds them (`texts_remove`)."""
    by_analysis: dict[int, list[int]] = defaultdict(list)
    for analysis_id, pk in AnalysisText.objects.filter(
        source_kind=kind, source_id__in=source_ids
    ).values_list("analysis_id", "pk"):
        by_analysis[analysis_id].append(pk)
    return sum(
        texts_remove(analysis_id=analysis_id, pks=pks) for analysis_id, pks in by_analysis.items()
    )


def text_waves(analysis_id: int) -> list[str]:
    """The waves of the analysis' texts, in their order of appearance (1 query)."""
    return list(
        AnalysisText.objects.filter(analysis_id=analysis_id)
        .exclude(wave="")
        .values("wave")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("wave", flat=True)
    )


@transaction.atomic
def duplicates_group(*, analysis: Analysis) -> int:
    """Group identical texts (same fingerprint) and near-identical ones (MinHash): each text of
    a group points to the group's first text (`duplicate_of`), which carries the group's size.
    Returns the number of groups. Codes follow the group: coding its first text codes all."""
    rows = list(
        AnalysisText.objects.filter(analysis=analysis)
        .order_by("pk")
        .values_list("pk", "fingerprint", "folded", "duplicate_of_id", "group_size")
    )
    head_of_fingerprint: dict[str, int] = {}
    exact_head: dict[int, int] = {}
    distinct: list[tuple[int, str]] = []
    for pk, print_, folded, _dup, _size in rows:
        head = head_of_fingerprint.setdefault(print_, pk)
        exact_head[pk] = head
        if head == pk:
            distinct.append((pk, folded))
    near = nlp.near_duplicate_groups([folded for _pk, folded in distinct])
    near_head = {pk: distinct[near[i]][0] for i, (pk, _folded) in enumerate(distinct)}
    head_of = {pk: near_head[exact_head[pk]] for pk, *_ in rows}
    sizes: dict[int, int] = {}
    for head in head_of.values():
        sizes[head] = sizes.get(head, 0) + 1
    changed = []
    for pk, _print, _folded, duplicate_of, size in rows:
        head = head_of[pk]
        new_duplicate_of = None if head == pk else head
        new_size = sizes.get(pk, 0) if head == pk else 1
        if (duplicate_of, size) != (new_duplicate_of, new_size):
            changed.append(
                AnalysisText(pk=pk, duplicate_of_id=new_duplicate_of, group_size=new_size)
            )
    # Heads first: a text may only point to a row that is itself a head.
    AnalysisText.objects.bulk_update(changed, ["duplicate_of", "group_size"], batch_size=BATCH)
    return len(sizes)


def group_counts(analysis: Analysis) -> dict[str, int]:
    """Texts and distinct texts (groups) of the analysis (1 query)."""
    return AnalysisText.objects.filter(analysis=analysis).aggregate(
        n_texts=Count("pk"), n_groups=Count("pk", filter=Q(duplicate_of__isnull=True))
    )
