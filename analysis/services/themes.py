"""Suggested themes, computed in the background: a run groups the duplicates, lemmatises the
distinct texts (spaCy, or plain words when it is missing), extracts themes (TF-IDF and NMF)
and stores each with its characteristic words, its five most representative texts and its
texts. A duplicate group counts once. Staff then accept a theme as a code (its texts get
the code as suggestions to confirm in bulk), rename, merge or discard it."""

import logging
import time

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from analysis import nlp, tasks
from analysis.models import Analysis, AnalysisText, Code, SuggestedTheme, ThemeRun, ThemeText
from analysis.services.codebook import code_create
from analysis.services.coding import assign_selection
from analysis.services.texts import duplicates_group
from caflab.accounts.models import User
from caflab.core import jobs
from caflab.core.errors import AlreadyDone, InvalidState
from caflab.core.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

DEFAULT_THEMES = 8
MAX_THEMES = 20


@transaction.atomic
def themes_request(*, analysis: Analysis, by: User, n_themes: int = DEFAULT_THEMES) -> ThemeRun:
    """Queue a run, unless one is already queued or running for this analysis."""
    Analysis.objects.select_for_update().get(pk=analysis.pk)
    if ThemeRun.objects.filter(analysis=analysis).in_progress().exists():
        raise AlreadyDone(_("Un calcul de thèmes est déjà en cours pour cette analyse."))
    n_themes = max(2, min(MAX_THEMES, n_themes))
    run = ThemeRun.objects.create(analysis=analysis, requested_by=by, n_themes=n_themes)
    enqueue_on_commit(tasks.suggest_themes, run.pk)
    return run


def themes_suggest(*, run_id: int) -> str:
    """Compute run `run_id`. Safe to run twice: a finished run, or one a live worker holds, is
    skipped; one whose worker died is computed again from scratch."""
    attempt = jobs.claim(ThemeRun, run_id)
    if attempt is None:
        return "skipped"
    started = time.monotonic()
    run = ThemeRun.objects.select_related("analysis").get(pk=run_id)
    try:
        duplicates_group(analysis=run.analysis)
        jobs.heartbeat(ThemeRun, run_id, attempt, progress=10)
        heads = list(
            AnalysisText.objects.filter(analysis=run.analysis)
            .representatives()
            .order_by("pk")
            .values_list("pk", "text", "group_size")
        )
        total = len(heads) or 1

        def on_progress(done: int) -> None:
            jobs.heartbeat(ThemeRun, run_id, attempt, progress=10 + int(70 * done / total))

        docs, lemmatiser = nlp.lemmatise(
            [text for _pk, text, _size in heads], on_progress=on_progress
        )
        jobs.heartbeat(ThemeRun, run_id, attempt, progress=80)
        found = nlp.extract_themes(docs, run.n_themes)
        with transaction.atomic():
            ThemeText.objects.filter(theme__run=run).delete()
            SuggestedTheme.objects.filter(run=run).delete()
            for position, theme in enumerate(found, start=1):
                suggested = SuggestedTheme.objects.create(
                    run=run,
                    position=position,
                    label=" · ".join(theme.words[:3]),
                    words=theme.words,
                    examples=[heads[i][0] for i in theme.examples],
                    n_groups=len(theme.members),
                    n_texts=sum(heads[i][2] for i, _weight in theme.members),
                )
                ThemeText.objects.bulk_create(
                    (
                        ThemeText(theme=suggested, text_id=heads[i][0], weight=weight)
                        for i, weight in theme.members
                    ),
                    batch_size=5000,
                )
            done = jobs.complete(
                ThemeRun,
                run_id,
                attempt,
                n_texts=sum(size for _pk, _text, size in heads),
                n_groups=len(heads),
                lemmatiser=lemmatiser,
                duration_ms=int(1000 * (time.monotonic() - started)),
            )
            if not done:
                transaction.set_rollback(True)
                return "skipped"
    except jobs.LeaseLost:
        logger.warning("Theme run %s: attempt %s lost its lease.", run_id, attempt)
        return "skipped"
    except Exception as exc:
        logger.exception("Theme run %s failed.", run_id)
        jobs.fail(ThemeRun, run_id, attempt, error=type(exc).__name__)
        return "failed"
    return "ready"


def themes_requeue_stale() -> int:
    return jobs.requeue_expired(ThemeRun, tasks.suggest_themes)


def _locked_open(theme: SuggestedTheme) -> SuggestedTheme:
    locked = (
        SuggestedTheme.objects.select_for_update(of=("self",))
        .select_related("run__analysis")
        .get(pk=theme.pk)
    )
    if not locked.is_open:
        raise AlreadyDone(
            _("Ce thème a déjà été traité (%(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def theme_accept(*, theme: SuggestedTheme, by: User, label: str = "") -> Code:
    """Make the theme a code of the codebook; its texts (and their duplicates) get the code
    as suggestions, to confirm in bulk from the coding list."""
    locked = _locked_open(theme)
    code = code_create(analysis=locked.run.analysis, label=(label or locked.label)[:120])
    assign_selection(
        code=code,
        texts=AnalysisText.objects.filter(themetext__theme=locked),
        by=by,
        suggested=True,
    )
    locked.status = SuggestedTheme.Status.ACCEPTED
    locked.code = code
    locked.save(update_fields=["status", "code"])
    return code


@transaction.atomic
def theme_rename(*, theme: SuggestedTheme, label: str) -> SuggestedTheme:
    locked = _locked_open(theme)
    locked.label = label.strip()[:120]
    locked.save(update_fields=["label"])
    return locked


@transaction.atomic
def theme_merge(*, theme: SuggestedTheme, into: SuggestedTheme) -> SuggestedTheme:
    """Move the texts of `theme` into `into` (same run, both still proposed)."""
    if theme.pk == into.pk or theme.run_id != into.run_id:
        raise InvalidState(_("Choisissez un autre thème du même calcul."))
    locked = _locked_open(theme)
    target = _locked_open(into)
    moved = [
        ThemeText(theme=target, text_id=text_id, weight=weight)
        for text_id, weight in ThemeText.objects.filter(theme=locked).values_list(
            "text_id", "weight"
        )
    ]
    ThemeText.objects.bulk_create(moved, ignore_conflicts=True, batch_size=5000)
    target.words = target.words + [w for w in locked.words if w not in target.words]
    target.examples = (target.examples + locked.examples)[: nlp.N_EXAMPLES]
    members = AnalysisText.objects.filter(themetext__theme=target)
    target.n_groups = members.count()
    target.n_texts = members.aggregate(n=Sum("group_size"))["n"] or 0
    target.save(update_fields=["words", "examples", "n_groups", "n_texts"])
    locked.status = SuggestedTheme.Status.MERGED
    locked.merged_into = target
    locked.save(update_fields=["status", "merged_into"])
    return target


@transaction.atomic
def theme_discard(*, theme: SuggestedTheme) -> SuggestedTheme:
    locked = _locked_open(theme)
    locked.status = SuggestedTheme.Status.DISCARDED
    locked.save(update_fields=["status"])
    return locked
