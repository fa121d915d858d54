"""Results kept computed: a submission asks for a refresh of its questionnaire's results, a task
recomputes every segment at once (ecoute.results.raw_aggregates, grouped by audience and by
Caf) and stores them as `ResultsSnapshot` rows; the results page only reads them.

At most one refresh is pending per questionnaire (the `ResultsRefresh` row's flag, set by a
conditional UPDATE): during a burst of answers, one task runs every REFRESH_DELAY seconds at
most, whatever the rate. A periodic task queues again a refresh whose message was lost and
refreshes the snapshots whose response count no longer matches (a safety net).
"""

import datetime
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from caflab.core.queueing import enqueue
from ecoute import tasks
from ecoute.models import Question, Questionnaire, Response, ResultsRefresh, ResultsSnapshot
from ecoute.results import (
    MIN_GROUP_SIZE,
    Groups,
    QuestionResult,
    build_results,
    groups_from_raw,
    ordered_questions,
    raw_aggregates,
    raw_groups,
)

# Answers coming in this many seconds after the one that asked share its refresh.
REFRESH_DELAY = 60
# A refresh pending for longer than this lost its message (broker outage): queued again.
PENDING_STALE_AFTER = datetime.timedelta(minutes=10)


def results_refresh_request(*, questionnaire_id: int, now: datetime.datetime | None = None) -> bool:
    """Ask for a refresh of the questionnaire's results; queue the task unless one is already
    pending (then this submission is included in it). Returns whether a task was queued.
    While a refresh is pending this costs two reads and no write."""
    now = now or timezone.now()
    marked = ResultsRefresh.objects.filter(
        questionnaire_id=questionnaire_id, is_pending=False
    ).update(is_pending=True, requested_at=now)
    if not marked:
        _refresh, created = ResultsRefresh.objects.get_or_create(
            questionnaire_id=questionnaire_id, defaults={"is_pending": True, "requested_at": now}
        )
        if not created:
            return False  # already pending: the queued task will include this answer
    enqueue(tasks.refresh_results, questionnaire_id, countdown=REFRESH_DELAY)
    return True


def _segment_snapshots(questionnaire: Questionnaire) -> dict[str, tuple[dict, int]]:
    """segment key → (payload, response count) for everyone ("") and every segment of at least
    MIN_GROUP_SIZE responses (a smaller one is never shown, so never stored). Eleven queries,
    in one repeatable-read snapshot of the database: the counts and the aggregates agree."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        groups = raw_groups(questionnaire)
        everyone = raw_aggregates(questionnaire)[None]
        by_audience = raw_aggregates(questionnaire, group_by="audience")
        by_caf = raw_aggregates(questionnaire, group_by="caf")
    total = sum(n for _value, n in groups["audience"])
    snapshots = {"": ({**everyone, "groups": groups}, total)}
    for value, n in groups["audience"]:
        if n >= MIN_GROUP_SIZE:
            snapshots[f"audience:{value}"] = (by_audience.get(value) or {}, n)
    for code, _name, n, caf_id in groups["caf"]:
        if n >= MIN_GROUP_SIZE:
            snapshots[f"caf:{code}"] = (by_caf.get(caf_id) or {}, n)
    return snapshots


def results_refresh(*, questionnaire_id: int) -> int:
    """Recompute and store the snapshots of the questionnaire's results. Safe to run twice
    (each run replaces the rows); the pending flag is cleared first, so an answer submitted
    during the computation asks for the next refresh. Returns the number of snapshots."""
    started = timezone.now()
    clock = time.monotonic()
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first()
    if questionnaire is None:
        return 0
    ResultsRefresh.objects.update_or_create(
        questionnaire=questionnaire, defaults={"is_pending": False, "started_at": started}
    )
    snapshots = _segment_snapshots(questionnaire)
    computed_at = timezone.now()
    with transaction.atomic():
        ResultsSnapshot.objects.filter(questionnaire=questionnaire).exclude(
            segment_key__in=list(snapshots)
        ).delete()
        ResultsSnapshot.objects.bulk_create(
            [
                ResultsSnapshot(
                    questionnaire=questionnaire,
                    segment_key=key,
                    payload=payload,
                    response_count=count,
                    computed_at=computed_at,
                )
                for key, (payload, count) in snapshots.items()
            ],
            update_conflicts=True,
            unique_fields=["questionnaire", "segment_key"],
            update_fields=["payload", "response_count", "computed_at"],
        )
    ResultsRefresh.objects.filter(questionnaire=questionnaire).update(
        finished_at=timezone.now(), duration_ms=int(1000 * (time.monotonic() - clock))
    )
    return len(snapshots)


def results_refresh_stale(now: datetime.datetime | None = None) -> int:
    """The periodic safety net: queue again the refreshes pending for too long (a lost
    message), and ask for one where the stored response count differs from the actual one (an
    answer whose request was lost, responses deleted). Returns the number of tasks queued."""
    now = now or timezone.now()
    queued = 0
    stale = ResultsRefresh.objects.filter(
        is_pending=True, requested_at__lte=now - PENDING_STALE_AFTER
    ).values_list("questionnaire_id", flat=True)
    for questionnaire_id in list(stale[:100]):
        if not enqueue(tasks.refresh_results, questionnaire_id):
            return queued
        ResultsRefresh.objects.filter(questionnaire_id=questionnaire_id).update(requested_at=now)
        queued += 1
    stored = dict(
        ResultsSnapshot.objects.filter(segment_key="").values_list(
            "questionnaire_id", "response_count"
        )
    )
    actual = dict(
        Response.objects.order_by()
        .values("questionnaire_id")
        .annotate(n=Count("pk"))
        .values_list("questionnaire_id", "n")
    )
    for questionnaire_id in set(stored) | set(actual):
        if stored.get(questionnaire_id) != actual.get(questionnaire_id, 0):
            queued += results_refresh_request(questionnaire_id=questionnaire_id, now=now)
    return queued


# --- reading -----------------------------------------------------------------------------------


@dataclass
class StoredResults:
    """What the results page shows: the groups, and the labelled results of the segment asked
    for (None when no snapshot exists yet: the computation is queued)."""

    groups: Groups | None
    computed_at: datetime.datetime | None
    response_count: int
    snapshots: dict[str, ResultsSnapshot]

    @property
    def is_ready(self) -> bool:
        return self.groups is not None

    def results(self, questionnaire: Questionnaire, segment: Any) -> list[QuestionResult] | None:
        """The labelled results of `segment` (None: everyone); two queries (questions and
        options). None when the segment's snapshot is missing."""
        snapshot = self.snapshots.get(segment.key if segment else "")
        if snapshot is None:
            return None
        return build_results(ordered_questions(questionnaire), snapshot.payload)


def stored_results(questionnaire: Questionnaire, segment_key: str = "") -> StoredResults:
    """The snapshots of everyone and of `segment_key` (one query). With no snapshot yet, a
    small questionnaire is computed now (once: the next views read it); a large one gets its
    computation queued and the page says so."""
    keys = {"", segment_key}
    snapshots = _read(questionnaire, keys)
    if "" not in snapshots:
        responses = Response.objects.filter(questionnaire=questionnaire).count()
        if responses <= settings.ECOUTE_RESULTS_COMPUTE_AT_VIEW_MAX:
            results_refresh(questionnaire_id=questionnaire.pk)
            snapshots = _read(questionnaire, keys)
        else:
            results_refresh_request(questionnaire_id=questionnaire.pk)
    everyone = snapshots.get("")
    if everyone is None:
        return StoredResults(None, None, 0, snapshots)
    return StoredResults(
        groups=groups_from_raw(everyone.payload.get("groups", {})),
        computed_at=everyone.computed_at,
        response_count=everyone.response_count,
        snapshots=snapshots,
    )


# A rendered results body is kept this long at most (its key changes with each refresh).
RESULTS_BODY_TTL = 60 * 60


def questions_version(questionnaire: Questionnaire) -> str:
    """Changes when a question, section or option of the questionnaire is added, edited or
    removed: the labels of the cached results (one query over the questionnaire's questions)."""
    version = Question.objects.filter(questionnaire=questionnaire).aggregate(
        n_questions=Count("pk", distinct=True),
        n_options=Count("options", distinct=True),
        questions_edited=Max("updated_at"),
        options_edited=Max("options__updated_at"),
        sections_edited=Max("section__updated_at"),
    )
    return "-".join(
        str(value.timestamp() if hasattr(value, "timestamp") else value)
        for value in version.values()
    )


def results_body_key(stored: StoredResults, segment: Any, version: str) -> str:
    snapshot = stored.snapshots.get(segment.key if segment else "")
    stamp = snapshot.computed_at.timestamp() if snapshot else "none"
    everyone = stored.snapshots[""]
    raw = f"{everyone.questionnaire_id}:{everyone.computed_at.timestamp()}:{stamp}:{version}"
    digest = hashlib.sha256(f"{raw}:{segment.key if segment else ''}".encode()).hexdigest()
    return f"ecoute:results-body:{digest[:32]}"


def _read(questionnaire: Questionnaire, keys: set[str]) -> dict[str, ResultsSnapshot]:
    return {
        snapshot.segment_key: snapshot
        for snapshot in ResultsSnapshot.objects.filter(
            questionnaire=questionnaire, segment_key__in=keys
        )
    }
