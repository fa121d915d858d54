from django.db import models
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
        help_text=_("Quand l'ordonnanceur (beat) a publié la tâche exécutée à cette heure."),
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
