"""The open-data files: one generation run a night (a leased job, caflab.core.jobs), and the
latest files of each dataset, which the stable URLs serve.

The files live in the private storage (`caflab.core.uploads`, the one settings switch to an
object store that every web node shares; the stable URLs stream them): `DatasetFile` names the
current CSV and JSON of each dataset with their size, digest (the ETag) and date. A run writes
new files under fresh names and switches the rows only once all its datasets are written, so a
reader never gets half a run; the previous files are deleted afterwards."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from caflab.core.jobs import LeasedJob
from caflab.core.models import TimeStampedModel


class GenerationRun(LeasedJob, TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("erreur"), max_length=200, blank=True)
    datasets_written = models.PositiveSmallIntegerField(_("jeux écrits"), default=0)

    class Meta:
        verbose_name = _("génération des données ouvertes")
        verbose_name_plural = _("générations des données ouvertes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} ({self.get_status_display()})"


class DatasetFile(TimeStampedModel):
    """The current files of one dataset (`slug`, one of caflab.opendata.datasets.DATASETS)."""

    slug = models.SlugField(_("jeu de données"), max_length=60, unique=True)
    run = models.ForeignKey(
        GenerationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("génération"),
    )
    csv_name = models.CharField(_("fichier CSV"), max_length=255)
    csv_bytes = models.PositiveBigIntegerField(_("taille du CSV (octets)"))
    csv_sha256 = models.CharField(_("empreinte du CSV"), max_length=64)
    json_name = models.CharField(_("fichier JSON"), max_length=255)
    json_bytes = models.PositiveBigIntegerField(_("taille du JSON (octets)"))
    json_sha256 = models.CharField(_("empreinte du JSON"), max_length=64)
    row_count = models.PositiveIntegerField(_("lignes"))
    generated_at = models.DateTimeField(_("généré le"))

    class Meta:
        verbose_name = _("fichier de données ouvertes")
        verbose_name_plural = _("fichiers de données ouvertes")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug
