"""The export of the coded texts (CSV, XLSX): its columns and rows; the writing is
`caflab.core.spreadsheets` (formula-safe, XML-safe, streamed). Built in the background by
`analysis.services.exports.export_build`."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from django.utils.text import slugify
from django.utils.translation import gettext as _

from analysis.models import Analysis, AnalysisText, CodeAssignment
from caflab.core import spreadsheets
from ecoute.models import Audience

# The worker renews its lease (and shows its progress) every this many rows.
PROGRESS_EVERY = 1000


def export_rows(analysis: Analysis) -> tuple[list[str], Iterator[list[Any]]]:
    """The coded texts for an export: identifier, source, question, segment, the text with its
    personal data masked, its codes (confirmed). Two queries, streamed."""
    header = [
        _("Identifiant"),
        _("Source"),
        _("Question"),
        _("Public"),
        _("Caf"),
        _("Vague"),
        _("Texte (données personnelles masquées)"),
        _("Codes"),
        _("Doublon de"),
    ]
    labels = {c.pk: str(c) for c in analysis.codes.select_related("parent")}
    assigned: dict[int, list[str]] = {}
    for text_id, code_id in (
        CodeAssignment.objects.filter(code__analysis=analysis, is_suggested=False)
        .order_by("text_id", "code__position", "code_id")
        .values_list("text_id", "code_id")
        .iterator(chunk_size=5000)
    ):
        assigned.setdefault(text_id, []).append(labels[code_id])
    audiences = dict(Audience.choices)
    sources = dict(AnalysisText._meta.get_field("source_kind").choices)

    def rows() -> Iterator[list[Any]]:
        for t in (
            AnalysisText.objects.filter(analysis=analysis)
            .order_by("pk")
            .values_list(
                "pk",
                "source_kind",
                "question__label",
                "audience",
                "caf__name",
                "wave",
                "masked_text",
                "duplicate_of_id",
            )
            .iterator(chunk_size=5000)
        ):
            pk, kind, question, audience, caf, wave, masked, duplicate_of = t
            yield [
                str(pk),
                str(sources.get(kind, kind)),
                question or "",
                str(audiences.get(audience, "")),
                caf or "",
                wave,
                masked,
                " ; ".join(assigned.get(pk, [])),
                str(duplicate_of or ""),
            ]

    return header, rows()


def export_write(
    analysis: Analysis,
    fmt: str,
    stream: BinaryIO,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the coded texts of `analysis` as `fmt` ("csv" or "xlsx") to `stream`, calling
    `on_progress(rows written)` every PROGRESS_EVERY rows. Returns the number of rows."""
    header, rows = export_rows(analysis)

    def counted() -> Iterator[list[Any]]:
        for done, row in enumerate(rows, start=1):
            yield row
            if on_progress is not None and done % PROGRESS_EVERY == 0:
                on_progress(done)

    if fmt == "csv":
        return spreadsheets.write_csv(stream, header, counted())
    if fmt == "xlsx":
        return spreadsheets.write_xlsx(stream, header, counted(), title=_("Textes codés"))
    raise ValueError(f"Unknown export format {fmt!r}.")


def export_filename(analysis: Analysis, fmt: str, *, on: datetime.date) -> str:
    return f"analyse-{slugify(analysis.display_title)[:40]}-{on:%Y-%m-%d}.{fmt}"
