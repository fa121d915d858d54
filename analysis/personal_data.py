"""The analysis' section of "my data": the codes a person applied and the analyses they
created carry their name. The texts analysed are copies with no link to anyone. On erasure the
codes stay (the work of the analysis), signed by nobody; an analysis keeps its creator's place
empty (caflab.accounts.personal_data.leave_places)."""

from django.utils.translation import gettext_lazy

from analysis.models import Analysis, CodeAssignment, ThemeRun
from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution

ATTRIBUTIONS = [
    Attribution(
        Analysis, "created_by", gettext_lazy("Analyse créée par vous"), "consultation__title"
    ),
    Attribution(
        CodeAssignment,
        "assigned_by",
        gettext_lazy("Code appliqué par vous"),
        "code__label",
        "assigned_at",
    ),
    Attribution(
        ThemeRun,
        "requested_by",
        gettext_lazy("Thèmes suggérés à votre demande"),
        "analysis__consultation__title",
        "created_at",
    ),
]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "analysis.activity",
        gettext_lazy("Votre nom dans l'analyse des textes"),
        export_activity,
        erase,
        order=90,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
