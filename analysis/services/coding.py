"""Coding: a code applied to or removed from one text, or applied to a whole filtered selection
in one statement. A code applied to a text applies to its group of duplicates too (they are
shown as one). Each assignment records who and when; the unique constraint (text × code)
turns a race into "déjà fait"."""

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.models import AnalysisText, Code, CodeAssignment
from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, InvalidState

# A new assignment, or a suggestion confirmed; a confirmed one is left as it is.
_INSERT = """
WITH sel AS ({selection})
INSERT INTO analysis_codeassignment (text_id, code_id, is_suggested, assigned_by_id, assigned_at)
SELECT t.id, %s, %s, %s, %s FROM analysis_analysistext t
WHERE t.analysis_id = %s
  AND (t.id IN (SELECT id FROM sel) OR t.duplicate_of_id IN (SELECT id FROM sel))
ON CONFLICT (text_id, code_id) DO UPDATE
  SET is_suggested = false, assigned_by_id = EXCLUDED.assigned_by_id,
      assigned_at = EXCLUDED.assigned_at
  WHERE analysis_codeassignment.is_suggested AND NOT EXCLUDED.is_suggested
"""


def assign_selection(
    *, code: Code, texts: QuerySet[AnalysisText], by: User | None, suggested: bool = False
) -> int:
    """Apply `code` to the texts of `texts` and to their duplicates in ONE statement (INSERT …
    SELECT, whatever the number of texts). Returns the number of rows written (new
    assignments, or suggestions confirmed)."""
    selection, params = (
        texts.filter(analysis=code.analysis_id).order_by().values("id").query.sql_with_params()
    )
    sql = _INSERT.format(selection=selection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*params, code.pk, suggested, by.pk if by else None, timezone.now(), code.analysis_id],
        )
        return cursor.rowcount


def _same_analysis(text: AnalysisText, code: Code) -> None:
    if text.analysis_id != code.analysis_id:
        raise InvalidState(_("Ce code n’appartient pas à l’analyse de ce texte."))


@transaction.atomic
def code_apply(*, text: AnalysisText, code: Code, by: User) -> int:
    """Apply `code` to `text` and its duplicates (a suggestion is confirmed)."""
    _same_analysis(text, code)
    existing = CodeAssignment.objects.filter(text=text, code=code).first()
    if existing is not None and not existing.is_suggested:
        raise AlreadyDone(_("Ce code est déjà appliqué à ce texte."))
    written = assign_selection(code=code, texts=AnalysisText.objects.filter(pk=text.pk), by=by)
    if not written:  # someone applied it between the check and the insert
        raise AlreadyDone(_("Ce code est déjà appliqué à ce texte."))
    return written


@transaction.atomic
def code_remove(*, text: AnalysisText, code: Code, by: User) -> int:
    """Remove `code` from `text` and its duplicates."""
    _same_analysis(text, code)
    removed, _by_model = CodeAssignment.objects.filter(
        Q(text=text) | Q(text__duplicate_of=text), code=code
    ).delete()
    if not removed:
        raise AlreadyDone(_("Ce code n’est déjà plus appliqué à ce texte."))
    return removed


@transaction.atomic
def codes_apply_bulk(*, code: Code, texts: QuerySet[AnalysisText], by: User) -> int:
    """Apply `code` to a whole filtered selection (and the duplicates of its texts)."""
    return assign_selection(code=code, texts=texts, by=by)


@transaction.atomic
def suggestions_confirm(*, code: Code, by: User) -> int:
    """Confirm every suggestion of `code` (from an accepted theme) at once."""
    return CodeAssignment.objects.filter(code=code, is_suggested=True).update(
        is_suggested=False, assigned_by=by, assigned_at=timezone.now()
    )


@transaction.atomic
def suggestions_dismiss(*, code: Code) -> int:
    """Drop every suggestion of `code` not confirmed yet."""
    removed, _by_model = CodeAssignment.objects.filter(code=code, is_suggested=True).delete()
    return removed
