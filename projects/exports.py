"""Portfolio exports: the columns and the rows of the portfolio table. The writing (CSV for French
Excel, XLSX; formula-safe and XML-safe) is the core's: caflab.core.spreadsheets.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.core.spreadsheets import Cell
from projects.models import Project


def headers() -> list[str]:
    return [
        _("Code"),
        _("Titre"),
        _("Étape"),
        _("Santé"),
        _("Porteur"),
        _("Direction sponsor"),
        _("Caf pilote"),
        _("Programmes"),
        _("Thèmes"),
        _("Filière"),
        _("Budget prévu (€)"),
        _("Budget consommé (€)"),
        _("Dernière mise à jour"),
    ]


def project_rows(projects: QuerySet[Project]) -> Iterable[list[Cell]]:
    """One row per project, in `headers()` order. `projects` comes with `with_card_data()`,
    so names of related rows cost no query per project."""
    for p in projects:
        yield [
            p.code,
            p.title,
            p.get_stage_display(),
            p.get_health_display(),
            str(p.lead),
            p.sponsor.name if p.sponsor else "",
            p.pilot_caf.name if p.pilot_caf else "",
            ", ".join(programme.name for programme in p.programmes.all()),
            ", ".join(theme.name for theme in p.themes.all()),
            p.get_track_display(),
            p.budget_planned,
            p.budget_spent,
            timezone.localtime(p.updated_at),
        ]
