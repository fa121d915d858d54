"""A questionnaire's results, kept computed: the results page reads a snapshot instead of
aggregating hundreds of thousands of answers at each view.

`ResultsSnapshot` holds the aggregates of one questionnaire for everyone (segment "") and for
each segment large enough to be shown (an audience, a Caf): raw counts, means and distributions
keyed by question and option ids, labelled at display time. `ResultsRefresh` is the
questionnaire's refresh state: a submission asks for a refresh, and a task is queued only when
none is pending (at most one per questionnaire, whatever the rate of answers).

Both are derived data: they are rebuilt from the answers at any time, and deleted with them.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecoute.models.questionnaires import Questionnaire


class ResultsSnapshot(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="results_snapshots",
        verbose_name=_("questionnaire"),
    )
    # "" for everyone, else a segment's key ("audience:citizen", "caf:38").
    segment_key = models.CharField(_("segment"), max_length=40, blank=True)
    payload = models.JSONField(_("agrégats"), encoder=DjangoJSONEncoder, default=dict)
    response_count = models.PositiveIntegerField(_("réponses incluses"), default=0)
    computed_at = models.DateTimeField(_("calculés le"))

    class Meta:
        verbose_name = _("résultats calculés")
        verbose_name_plural = _("résultats calculés")
        ordering = ["questionnaire", "segment_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "segment_key"], name="results_snapshot_once_per_segment"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.questionnaire_id} {self.segment_key or '*'} ({self.computed_at:%d/%m/%Y %H:%M})"
        )


class ResultsRefresh(models.Model):
    """Whether a refresh of the questionnaire's results is pending, and since when: the
    submission that finds none pending queues the task; the periodic task queues again a
    refresh whose message was lost."""

    questionnaire = models.OneToOneField(
        Questionnaire,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="results_refresh",
        verbose_name=_("questionnaire"),
    )
    is_pending = models.BooleanField(_("en attente"), default=False)
    requested_at = models.DateTimeField(_("demandé le"), null=True, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("calcul des résultats")
        verbose_name_plural = _("calculs des résultats")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["is_pending", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}: {'en attente' if self.is_pending else 'à jour'}"
