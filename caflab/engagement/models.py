"""The abstract tables of engagement. A concrete comment, support or report model lives in
the app of its target (it declares the foreign key to the target and its constraints) and
inherits everything else from here, so the columns, the moderation states and the rules are
the same for ideas, initiatives and contributions."""

from collections.abc import Callable
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import before_and_after, event_meta
from caflab.core.models import TimeStampedModel

# A comment's moderation fields, for the audit trail (never its text).
AUDITED_MODERATION_FIELDS = ["status", "moderated_by", "moderated_at", "moderation_note"]


def track_moderation(model_name: str, singular: Any, plural: Any) -> Callable[[type], type]:
    """The audit trail of a concrete comment model: each change of its moderation (the state,
    who set it, when, their message), never its text. `model_name` names the event table."""
    return pghistory.track(
        *before_and_after("status"),
        fields=AUDITED_MODERATION_FIELDS,
        model_name=model_name,
        meta=event_meta(singular, plural),
    )


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("En attente de modération")
    VISIBLE = "visible", _("Visible")
    REPORTED = "reported", _("Masqué après signalements, à examiner")
    HIDDEN = "hidden", _("Masqué par la modération")


TO_MODERATE = (CommentStatus.PENDING, CommentStatus.REPORTED)


class CommentQuerySet(models.QuerySet):
    def visible(self) -> "CommentQuerySet":
        return self.filter(status=CommentStatus.VISIBLE)

    def to_moderate(self) -> "CommentQuerySet":
        return self.filter(status__in=TO_MODERATE)


class CommentBase(TimeStampedModel):
    """A comment, or a reply under a top-level comment (threads are two levels deep), with its
    moderation state. The concrete model adds the foreign key to its target."""

    Status = CommentStatus

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("en réponse à"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("commentaire"), max_length=3000)
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=CommentStatus,
        default=CommentStatus.VISIBLE,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modéré par"),
    )
    moderated_at = models.DateTimeField(_("modéré le"), null=True, blank=True)
    moderation_note = models.CharField(_("message de modération"), max_length=300, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.VISIBLE

    @property
    def is_hidden(self) -> bool:
        """Shown in place, its text withheld (hidden, reported or not yet published)."""
        return self.status != CommentStatus.VISIBLE


class SupportBase(models.Model):
    """Someone supports a target: once per person (the concrete model's unique constraint)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("personne"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} → #{self.pk}"


class ReportBase(models.Model):
    """Someone reports a comment or a contribution as abusive: once per person."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("signalé par"),
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reporter_id} → #{self.pk}"
