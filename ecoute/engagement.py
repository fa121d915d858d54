"""Contributions are engageable (caflab.engagement): people support a published contribution
and comment on it; on a pre-moderated consultation a comment waits for the consultation's
managers, who moderate its comments and its contributions in the one moderation queue."""

from collections.abc import Iterable
from typing import Any

import rules
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import InvalidState
from caflab.core.queries import count_of
from caflab.engagement.moderation import ModerationKind, Narrowing, register_kind
from caflab.engagement.registry import Engageable, register
from ecoute.models import (
    Consultation,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionReport,
    ContributionSupport,
)


def _managed(user: Any) -> models.QuerySet | None:
    """The consultations whose contributions `user` moderates, or None when they moderate none."""
    if not rules.has_perm("ecoute.moderate_contributions", user):
        return None
    return Consultation.objects.managed_by(user).values("pk")


def _audience(contribution: Contribution) -> Any:
    """A new comment is told to the contribution's author."""
    return User.objects.filter(pk=contribution.author_id or 0)


def _moderators(contribution: Contribution) -> Any:
    from ecoute.services.contributions import consultation_managers

    return consultation_managers(contribution.consultation)


def _moderated_by(user: Any) -> models.QuerySet | None:
    managed = _managed(user)
    if managed is None:
        return None
    return ContributionComment.objects.filter(contribution__consultation__in=managed)


def _check_comment(contribution: Contribution) -> None:
    if not contribution.is_published:
        raise InvalidState(_("Seule une contribution publiée peut être commentée."))


def _check_support(contribution: Contribution) -> None:
    if not contribution.is_published:
        raise InvalidState(
            _("Seule une contribution publiée peut être soutenue."),
            redirect_to=contribution.get_absolute_url(),
        )


# --- the contributions themselves in the one moderation queue ------------------------------

# Their kind's key in the queue (its ?type=).
CONTRIBUTIONS_KIND = "contributions-deposees"

Status = Contribution.Status


def _contribution_rows(user: Any) -> models.QuerySet | None:
    managed = _managed(user)
    if managed is None:
        return None
    return Contribution.objects.filter(consultation__in=managed)


def _contributions_apply(pks: Iterable[int], by: Any, action: str, message: str) -> Any:
    from ecoute.services.contributions import contributions_moderate

    return contributions_moderate(
        contributions=Contribution.objects.filter(pk__in=list(pks)).only("pk"),
        by=by,
        action=action,
        message=message,
    )


def _contributions_prepare(rows: models.QuerySet) -> models.QuerySet:
    return (
        rows.select_related("author")
        .annotate(n_reports=count_of(ContributionReport, "contribution"))
        .prefetch_related(
            models.Prefetch("reports", queryset=ContributionReport.objects.order_by("-created_at"))
        )
    )


def _of_consultation(
    rows: models.QuerySet, pk: int, user: Any
) -> tuple[models.QuerySet, str] | None:
    """The queue's "consultation" filter: the contributions of one consultation `user` manages
    (one query for its title), or None."""
    title = Consultation.objects.managed_by(user).filter(pk=pk).values_list("title", flat=True)
    found = title.first()
    if found is None:
        return None
    return rows.filter(consultation=pk), _("Contributions de « %(title)s »") % {"title": found}


def _contribution_describe(contribution: Contribution) -> dict[str, Any]:
    return {
        "text": contribution.text,
        "title": contribution.title,
        "url": contribution.get_absolute_url(),
        "author": contribution.author,
        "status": contribution.status,
        "status_label": contribution.get_status_display(),
        "n_reports": getattr(contribution, "n_reports", 0),
        "reasons": [r.reason for r in contribution.reports.all() if r.reason][:3],
    }


def register_engagement() -> None:
    register(
        Engageable(
            key="contributions",
            label=gettext_lazy("contributions"),
            target_model=Contribution,
            target_field="contribution",
            this=gettext_lazy("cette contribution"),
            comment_model=ContributionComment,
            comment_report_model=ContributionCommentReport,
            support_model=ContributionSupport,
            kinds={
                "added": "ecoute.comment_added",
                "pending": "ecoute.comment_pending",
                "reported": "ecoute.comment_reported",
                "hidden": "ecoute.comment_hidden",
            },
            audience=_audience,
            moderators=_moderators,
            moderated_by=_moderated_by,
            premoderated=lambda contribution: contribution.consultation.is_premoderated,
            check_comment=_check_comment,
            check_support=_check_support,
        )
    )
    register_kind(
        ModerationKind(
            key=CONTRIBUTIONS_KIND,
            label=gettext_lazy("Contributions"),
            rows=_contribution_rows,
            waiting_states=(Status.PENDING, Status.REPORTED),
            hidden_states=(Status.HIDDEN, Status.REJECTED),
            actions={
                "publish": gettext_lazy("Publier"),
                "hide": gettext_lazy("Masquer"),
                "restore": gettext_lazy("Rétablir"),
                "reject": gettext_lazy("Refuser"),
            },
            apply=_contributions_apply,
            prepare=_contributions_prepare,
            describe=_contribution_describe,
            narrowing=Narrowing(param="consultation", apply=_of_consultation),
        )
    )
