"""Contributions of a consultation (a call for ideas, or testimonies about a service): what
people propose or tell, moderated before or after publication, supported, reported, commented
in threads, and given an official answer that may link them to a portfolio project."""

from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import before_and_after, event_meta
from caflab.core.models import TimeStampedModel
from caflab.core.queries import count_of
from caflab.engagement.models import (
    CommentBase,
    ReportBase,
    SupportBase,
    track_moderation,
)
from caflab.network.models import Caf, Theme
from caflab.search.indexing import search_indexes, search_vector_trigger
from ecoute.models.consultations import Consultation

if TYPE_CHECKING:
    from caflab.accounts.models import User


# --- counters kept by PostgreSQL -------------------------------------------------------------
# A contribution's supports and visible comments are counted by statement triggers on their
# tables (declared below with pgtrigger, installed by the migrations): each statement adds to
# the counter what it inserted, removed or changed, so a bulk insert costs one UPDATE, and
# `counter = counter + n` re-reads the row a concurrent statement just changed (READ COMMITTED
# re-checks updated rows), so two supports racing each count. SQLite (`make run`) has no
# trigger: the lists count instead (see ContributionQuerySet.with_card_data).


def _counter_delta_sql(column: str, *, new: bool, old: bool, condition: str = "TRUE") -> str:
    """The trigger body adding to `column` the rows a statement inserted (new_rows) minus the
    ones it removed (old_rows), per contribution, for the rows matching `condition`.
    Identifiers and conditions come from this module, never from input."""
    parts = []
    if new:
        parts.append(f"SELECT contribution_id, 1 AS n FROM new_rows WHERE {condition}")  # noqa: S608
    if old:
        parts.append(f"SELECT contribution_id, -1 AS n FROM old_rows WHERE {condition}")  # noqa: S608
    rows = " UNION ALL ".join(parts)
    sql = f"UPDATE ecoute_contribution AS c SET {column} = GREATEST(c.{column} + d.n, 0) "  # noqa: S608
    sql += f"FROM (SELECT contribution_id, sum(n) AS n FROM ({rows}) AS t "  # noqa: S608
    sql += "GROUP BY contribution_id HAVING sum(n) <> 0) AS d "
    return sql + "WHERE c.id = d.contribution_id; RETURN NULL;"


def counter_triggers(prefix: str, column: str, condition: str = "TRUE") -> list[pgtrigger.Trigger]:
    """One statement trigger per operation (PostgreSQL allows transition tables on a trigger
    of a single event) keeping `ecoute_contribution.<column>` current."""
    operations = (
        ("insert", pgtrigger.Insert, True, False),
        ("update", pgtrigger.Update, True, True),
        ("delete", pgtrigger.Delete, False, True),
    )
    return [
        pgtrigger.Trigger(
            name=f"{prefix}_{name}",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=operation,
            referencing=pgtrigger.Referencing(
                old="old_rows" if old else None, new="new_rows" if new else None
            ),
            func=_counter_delta_sql(column, new=new, old=old, condition=condition),
        )
        for name, operation, new, old in operations
    ]


def counters_are_kept() -> bool:
    """Whether the database keeps the counters (PostgreSQL), else the lists count."""
    return connection.vendor == "postgresql"


class AnswerStatus(models.TextChoices):
    """Where a contribution stands, as the official answer says. It only moves forward;
    adopted and not adopted are final."""

    RECEIVED = "received", _("Reçue")
    UNDER_STUDY = "under_study", _("À l’étude")
    IN_PROJECT = "in_project", _("Intégrée à un projet")
    ADOPTED = "adopted", _("Retenue")
    NOT_ADOPTED = "not_adopted", _("Non retenue")


# The rank of each status: an answer moves to a higher rank only (the two final ones share one).
ANSWER_RANK = {
    AnswerStatus.RECEIVED: 0,
    AnswerStatus.UNDER_STUDY: 1,
    AnswerStatus.IN_PROJECT: 2,
    AnswerStatus.ADOPTED: 3,
    AnswerStatus.NOT_ADOPTED: 3,
}


class ContributionQuerySet(models.QuerySet["Contribution"]):
    def published(self) -> "ContributionQuerySet":
        return self.filter(status=Contribution.Status.PUBLISHED)

    def to_moderate(self) -> "ContributionQuerySet":
        """Waiting for a moderator: submitted to a pre-moderated call, or hidden by reports."""
        return self.filter(status__in=[Contribution.Status.PENDING, Contribution.Status.REPORTED])

    def visible_to(self, user: "User") -> "ContributionQuerySet":
        """Published contributions of the consultations the user reads; their own at every
        status; everything in the consultations they manage. The rest is 404."""
        readable = Consultation.objects.visible_to(user).published().values("pk")
        scope = Q(status=Contribution.Status.PUBLISHED, consultation__in=readable)
        if user.is_authenticated:
            scope |= Q(author=user, consultation__in=readable)
            scope |= Q(consultation__in=Consultation.objects.managed_by(user).values("pk"))
        return self.filter(scope)

    def with_counts(self) -> "ContributionQuerySet":
        """`n_supports` and `n_comments` (visible ones): the kept counters on PostgreSQL,
        counted per row elsewhere."""
        if counters_are_kept():
            return self.annotate(n_supports=F("supports_count"), n_comments=F("comments_count"))
        return self.annotate(
            n_supports=count_of(ContributionSupport, "contribution"),
            n_comments=count_of(
                ContributionComment, "contribution", status=ContributionComment.Status.VISIBLE
            ),
        )

    def with_card_data(self) -> "ContributionQuerySet":
        """Everything a list card reads, in one query: the columns it shows, its theme, Caf
        and project, and its counts."""
        return (
            self.select_related("theme", "caf", "project")
            .only(
                "title",
                "text",
                "answer_status",
                "created_at",
                "updated_at",
                "theme",
                "caf",
                "project",
                "theme__name",
                "caf__name",
                "project__title",
                "project__stage",
                "project__code",
            )
            .with_counts()
        )


# Moderation in the audit trail: the status and who set it, never the text.
AUDITED_MODERATION_FIELDS = ["status", "moderated_by", "moderated_at"]


@pghistory.track(
    *before_and_after("status"),
    fields=AUDITED_MODERATION_FIELDS,
    model_name="ContributionEvent",
    meta=event_meta(_("historique : contribution"), _("historique : contributions")),
)
class Contribution(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de modération")
        PUBLISHED = "published", _("Publiée")
        REPORTED = "reported", _("Masquée après signalements, à examiner")
        HIDDEN = "hidden", _("Masquée par la modération")
        REJECTED = "rejected", _("Refusée")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("consultation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ecoute_contributions",
        verbose_name=_("auteur"),
    )
    title = models.CharField(_("titre"), max_length=200)
    text = models.TextField(_("texte"), max_length=5000)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thème"),
    )
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Caf concernée"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modérée par"),
    )
    moderated_at = models.DateTimeField(_("modérée le"), null=True, blank=True)
    # The official answer's current state, kept here for filters and lists; its history is
    # in OfficialAnswer.
    answer_status = models.CharField(
        _("réponse officielle"),
        max_length=12,
        choices=AnswerStatus,
        default=AnswerStatus.RECEIVED,
        db_index=True,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ecoute_contributions",
        verbose_name=_("projet du portefeuille"),
    )

    # Kept by PostgreSQL (the counter triggers above, on the supports and comments tables):
    # lists read and sort by them instead of counting. Zero on SQLite.
    supports_count = models.PositiveIntegerField(_("soutiens"), default=0, editable=False)
    comments_count = models.PositiveIntegerField(
        _("commentaires visibles"), default=0, editable=False
    )

    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["consultation", "status", "answer_status"]),
            # The list's "most supported first" order, read from the index with its limit.
            models.Index(
                fields=["consultation", "status", "-supports_count", "-id"],
                name="contribution_by_supports",
            ),
            *search_indexes("contribution"),
        ]
        triggers = [search_vector_trigger(("title", "A"), ("text", "B"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ecoute:contribution-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class OfficialAnswer(models.Model):
    """One step of a contribution's official answer: its history, newest first."""

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("contribution"),
    )
    status = models.CharField(_("statut"), max_length=12, choices=AnswerStatus)
    text = models.TextField(_("réponse"), max_length=5000)
    reason = models.TextField(_("motif"), max_length=3000, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("projet"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("répondu par"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("réponse officielle")
        verbose_name_plural = _("réponses officielles")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AnswerStatus.NOT_ADOPTED) | ~Q(reason=""),
                name="official_answer_not_adopted_has_reason",
                violation_error_message=_("Une contribution non retenue a un motif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} : {self.get_status_display()}"


class ContributionSupport(SupportBase):
    """Someone supports a contribution: once per person (a database constraint)."""

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        related_name="supports",
        verbose_name=_("contribution"),
    )

    class Meta(SupportBase.Meta):
        verbose_name = _("soutien à une contribution")
        verbose_name_plural = _("soutiens aux contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "user"], name="contribution_support_one_per_person"
            )
        ]
        triggers = counter_triggers("supports_count", "supports_count")


class ContributionReport(ReportBase):
    """Someone reports a contribution: once per person."""

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("contribution"),
    )

    class Meta(ReportBase.Meta):
        verbose_name = _("signalement de contribution")
        verbose_name_plural = _("signalements de contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reporter"],
                name="contribution_report_one_per_person",
            )
        ]


# Moderation of a comment in the audit trail: the status, who set it and their message, never
# the text.
@track_moderation(
    "ContributionCommentEvent",
    _("historique : commentaire de contribution"),
    _("historique : commentaires de contributions"),
)
class ContributionComment(CommentBase):
    """A comment on a contribution (caflab.engagement: replies, moderation, reports)."""

    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("contribution"),
    )

    class Meta(CommentBase.Meta):
        verbose_name = _("commentaire de contribution")
        verbose_name_plural = _("commentaires de contributions")
        triggers = counter_triggers("comments_count", "comments_count", "status = 'visible'")


class ContributionCommentReport(ReportBase):
    """Someone reports a comment on a contribution: once per person."""

    comment = models.ForeignKey(
        ContributionComment,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("commentaire"),
    )

    class Meta(ReportBase.Meta):
        verbose_name = _("signalement de commentaire de contribution")
        verbose_name_plural = _("signalements de commentaires de contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                name="contribution_comment_report_one_per_person",
            )
        ]
