"""Criée exports (CSV for French Excel, XLSX): the programme and the interest declared.

The writing is the core's (caflab.core.spreadsheets `to_csv`, `to_xlsx`): every text cell goes
through `safe_cell`, so an initiative titled "=HYPERLINK(…)" never runs as a formula, and
`clean_text`, so a character XML cannot hold (U+FFFF…) never breaks the workbook.
"""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.core.spreadsheets import Cell, to_csv, to_xlsx
from criees.models import Criee, InterestDeclaration, Pitch

__all__ = ["interest_header", "interest_rows", "programme_header", "programme_rows", "render"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def programme_header() -> list[str]:
    return [
        _("Ordre"),
        _("Heure de passage"),
        _("Durée (minutes)"),
        _("Initiative"),
        _("Caf"),
        _("Région"),
        _("Présentateurs"),
        _("Résumé"),
    ]


def programme_rows(programme: Iterable[Pitch]) -> Iterable[list[Cell]]:
    """`programme` comes from `programme_of` (initiative, Caf and presenters already read)."""
    for pitch in programme:
        yield [
            str(pitch.position),
            timezone.localtime(pitch.starts_at),
            str(pitch.slot_minutes),
            pitch.initiative.title,
            pitch.initiative.caf.name,
            pitch.initiative.caf.region.name,
            ", ".join(str(person) for person in pitch.presenters.all()),
            pitch.initiative.summary,
        ]


def interest_header() -> list[str]:
    return [
        _("Initiative"),
        _("Caf de l’initiative"),
        _("Caf intéressée"),
        _("Région de la Caf intéressée"),
        _("Niveau d’intérêt"),
        _("Personne à contacter"),
        _("E-mail de contact"),
        _("Commentaire"),
        _("Déclaré le"),
    ]


def interest_rows(interests: Iterable[InterestDeclaration]) -> Iterable[list[Cell]]:
    for interest in interests:
        contact = interest.contact_person
        yield [
            interest.initiative.title,
            interest.initiative.caf.name,
            interest.caf.name,
            interest.caf.region.name,
            interest.get_level_display(),
            str(contact) if contact else "",
            contact.email if contact else "",
            interest.comment,
            timezone.localtime(interest.updated_at),
        ]


def render(
    fmt: str, header: list[str], rows: Iterable[list[Cell]], *, title: str
) -> tuple[bytes, str]:
    """The file's bytes and its content type."""
    if fmt == "csv":
        return to_csv(header, rows), CONTENT_TYPES["csv"]
    return to_xlsx(header, rows, title=title), CONTENT_TYPES["xlsx"]


def filename(criee: Criee, kind: str, fmt: str) -> str:
    return f"criee-{criee.pk}-{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"
