"""The kit's section of "my data" (caflab.accounts.personal_data): the documents, versions,
checklist ticks and fiches d'essaimage bearing the person's name. On erasure they all stay (a
project's evidence, what a gate relied on), without the name: the SET_NULL columns are emptied."""

from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from kits.models import DeliverableCheck, Document, DocumentVersion, ReplicationGuide

ATTRIBUTIONS = [
    Attribution(Document, "created_by", gettext_lazy("Document ajouté par vous"), "title"),
    Attribution(DocumentVersion, "uploaded_by", gettext_lazy("Version déposée par vous"), "name"),
    Attribution(
        DeliverableCheck,
        "checked_by",
        gettext_lazy("Point de liste coché par vous"),
        "deliverable__label",
    ),
    Attribution(
        ReplicationGuide,
        "updated_by",
        gettext_lazy("Fiche d’essaimage mise à jour par vous"),
        "project__title",
        "updated_at",
    ),
]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "kits.activity",
        gettext_lazy("Votre nom sur les documents et les fiches d’essaimage"),
        export_activity,
        erase=erase,
        order=75,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
