"""The type-ahead sources of the codebook page (caflab/core/typeahead.py): the analyses whose
codebook a person may copy (those they manage, without the one being edited when the picker
names it: ?sauf=<id>), and the codebooks of the lab's shared library (readable by whoever
manages an analysis). A page lists only the most recent few; the rest is found by typing."""

import re
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import ngettext

from analysis.models import Analysis, LibraryCodebook
from caflab.core.typeahead import Source, clean_text, key_before_dash, words_match


def copyable_analyses(user: Any, except_id: Any = None) -> QuerySet[Analysis]:
    analyses = Analysis.objects.visible_to(user)
    if except_id:
        analyses = analyses.exclude(pk=except_id)
    return analyses.only("pk", "title", "created_at")


def _analyses(user: Any, params: QueryDict) -> QuerySet[Analysis]:
    except_id = params.get("sauf", "")
    return copyable_analyses(user, int(except_id) if except_id.isdigit() else None)


def analysis_value(analysis: Analysis) -> str:
    """ "N° 12 – Titre": titles may repeat, the number does not."""
    return f"N° {analysis.pk} – {analysis.title}"


def _resolve_analysis(queryset: QuerySet[Analysis], text: str) -> QuerySet[Analysis]:
    found = re.fullmatch(r"(?:n°|no|#)?\s*(\d+)", key_before_dash(text), flags=re.IGNORECASE)
    if found:
        return queryset.filter(pk=int(found.group(1)))
    return queryset.filter(title__iexact=clean_text(text))


def library_for(user: Any) -> QuerySet[LibraryCodebook]:
    """The shared library, for whoever manages at least one analysis."""
    if not Analysis.objects.visible_to(user).exists():
        return LibraryCodebook.objects.none()
    return LibraryCodebook.objects.all()


def _resolve_codebook(queryset: QuerySet[LibraryCodebook], text: str) -> QuerySet[LibraryCodebook]:
    """Its title (an option's value), or an id (a form posted by a page without JavaScript)."""
    text = clean_text(text)
    if text.isdigit():
        return queryset.filter(pk=int(text))
    return queryset.filter(title__iexact=text)


ANALYSES = Source(
    scope=_analyses,
    match=lambda queryset, text: words_match(queryset, text, ("title",)),
    resolve=_resolve_analysis,
    value=analysis_value,
    order=("-created_at", "-pk"),
)
LIBRARY_CODEBOOKS = Source(
    scope=lambda user, params: library_for(user),
    match=lambda queryset, text: words_match(queryset, text, ("title", "description")),
    resolve=_resolve_codebook,
    value=lambda codebook: codebook.title,
    label=lambda codebook: (
        ngettext("%(n)s code", "%(n)s codes", codebook.n_codes) % {"n": codebook.n_codes}
    ),
    order=("-created_at", "-pk"),
)
