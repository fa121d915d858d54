"""Exports of a questionnaire's answers, built in the background (a large consultation has
hundreds of thousands of rows) and downloadable only by who asked for them."""

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import event_meta
from caflab.core.jobs import LeasedJob
from caflab.core.models import TimeStampedModel
from caflab.core.uploads import get_private_storage
from ecoute.models.questionnaires import Questionnaire


# An export of answers is recorded when asked for (its download is the requester's only).
@pghistory.track(
    pghistory.InsertEvent("requested"),
    fields=["questionnaire", "requested_by", "format"],
    model_name="ExportJobEvent",
    meta=event_meta(_("historique : export de réponses"), _("historique : exports de réponses")),
)
class ExportJob(LeasedJob, TimeStampedModel):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

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
    format = models.CharField(_("format"), max_length=4, choices=Format)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(_("lignes"), default=0)
    file = models.FileField(
        _("fichier"),
        upload_to="ecoute/exports/",
        storage=get_private_storage,
        blank=True,
        max_length=255,
    )
    error = models.CharField(_("erreur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("export de réponses")
        verbose_name_plural = _("exports de réponses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("ecoute:export-detail", kwargs={"pk": self.pk})
