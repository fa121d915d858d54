"""The analysis' section of "my data": the codes a person applied and the analyses they
created carry their name. The texts analysed are copies with no link to anyone. On erasure the
codes stay (the work of the analysis), signed by nobody; an analysis keeps its creator's place
empty (caflab.accounts.personal_data.leave_places). An export of the coded texts is the
requester's own download: it goes, file included."""

from django.utils.translation import gettext_lazy

from analysis.models import (
    Analysis,
    AnalysisExport,
    BlindCoding,
    CodeAssignment,
    LibraryCodebook,
    ThemeRun,
)
from analysis.services.exports import exports_erase
from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution

ATTRIBUTIONS = [
    Attribution(Analysis, "created_by", gettext_lazy("Analyse créée par vous"), "title"),
    Attribution(
        CodeAssignment,
        "assigned_by",
        gettext_lazy("Code appliqué par vous"),
        "code__label",
        "assigned_at",
    ),
    Attribution(
        BlindCoding,
        "coder",
        gettext_lazy("Texte codé en aveugle par vous"),
        "text__analysis__title",
        "at",
    ),
    Attribution(
        LibraryCodebook,
        "published_by",
        gettext_lazy("Grille publiée dans la bibliothèque par vous"),
        "title",
        "created_at",
    ),
    Attribution(
        ThemeRun,
        "requested_by",
        gettext_lazy("Thèmes suggérés à votre demande"),
        "analysis__title",
        "created_at",
    ),
    Attribution(
        AnalysisExport,
        "requested_by",
        gettext_lazy("Export des textes codés demandé par vous"),
        "analysis__title",
        "created_at",
    ),
]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    exports_erase(user=user)
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "analysis.activity",
        gettext_lazy("Votre nom dans l’analyse des textes"),
        export_activity,
        erase,
        order=90,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
