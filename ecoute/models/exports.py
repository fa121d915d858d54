"""Exports of a questionnaire's answers, built in the background (a large consultation has
hundreds of thousands of rows) and downloadable only by who asked for them."""

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import event_meta
from caflab.core.jobs import SpreadsheetExport
from caflab.core.models import TimeStampedModel
from caflab.core.uploads import get_private_storage
from ecoute.models.questionnaires import Questionnaire


# An export of answers is recorded when asked for (its download is the requester's only).
@pghistory.track(
    pghistory.InsertEvent("requested"),
    fields=["questionnaire", "requested_by", "format"],
    model_name="ExportJobEvent",
    meta=event_meta(_("historique : export de réponses"), _("historique : exports de réponses")),
)
class ExportJob(SpreadsheetExport, TimeStampedModel):
    """An export of a questionnaire's answers (CSV or XLSX), built by
    `ecoute.tasks.build_export` into the private storage, downloadable by its requester only."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("questionnaire"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ecoute_exports",
        verbose_name=_("demandé par"),
    )
    file = models.FileField(
        _("fichier"),
        upload_to="ecoute/exports/",
        storage=get_private_storage,
        blank=True,
        max_length=255,
    )

    class Meta:
        verbose_name = _("export de réponses")
        verbose_name_plural = _("exports de réponses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("ecoute:export-detail", kwargs={"pk": self.pk})
