from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Audit fields every model carries; read-only in the admin."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive, one row per name ("worker").

    Kept in the database (and mirrored in the cache) so that a cache flush or a Redis outage
    does not erase what the health page needs to tell "the worker stopped" from "never ran".
    """

    name = models.CharField(_("nom"), max_length=40, unique=True)
    last_seen = models.DateTimeField(_("dernier signe de vie"))
    published_at = models.DateTimeField(
        _("publié le"),
        null=True,
        blank=True,
        help_text=_("Quand l’ordonnanceur (beat) a publié la tâche exécutée à cette heure."),
    )

    class Meta:
        verbose_name = _("signe de vie")
        verbose_name_plural = _("signes de vie")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def queue_latency(self) -> float | None:
        """Seconds between beat publishing the task and the worker running it."""
        if self.published_at is None:
            return None
        return max(0.0, (self.last_seen - self.published_at).total_seconds())


class AuditEvent(models.Model):
    """An act of the audit trail that changes no row: a download of one's data, an export, an
    import of people (caflab.core.audit.record). Row changes are in pghistory's event tables.
    Never edited; erased after AUDIT_RETENTION_DAYS."""

    class Action(models.TextChoices):
        PERSONAL_DATA_DOWNLOAD = "personal_data_download", _("Téléchargement de « mes données »")
        PEOPLE_IMPORT = "people_import", _("Import de comptes")
        EXPORT = "export", _("Export")

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    action = models.CharField(_("action"), max_length=30, choices=Action, db_index=True)
    # What the act was about, as "app_label.model" and primary key (empty: the whole portfolio).
    target_type = models.CharField(_("type d’objet"), max_length=100, blank=True)
    target_id = models.CharField(_("identifiant de l’objet"), max_length=64, blank=True)
    # Ids, counts, formats: never a person's name or address.
    details = models.JSONField(_("détails"), default=dict, blank=True)
    # The route, scrubbed like the request log (no token path, no query string).
    route = models.CharField(_("adresse"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("acte sensible")
        verbose_name_plural = _("actes sensibles (exports, imports, « mes données »)")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"
