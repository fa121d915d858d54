"""Contribution flows: submit a contribution, support and report it, comment on it in threads,
moderate contributions and comments (one by one or in bulk, with a message to their authors),
give the official answer, and tell authors and supporters when the project their contribution
was taken into changes stage.

Every flow is atomic and tells people through `notify` (mails queued after the commit). "One
per person" rules are database constraints: losing a race raises `AlreadyDone`, which the
views show as a message, never a 500.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import Role, User
from caflab.core.errors import InvalidState
from caflab.core.textsources import texts_withdraw
from caflab.engagement import services as engagement
from caflab.notifications.services import notify
from ecoute.engagement import CONTRIBUTIONS_KIND
from ecoute.models import (
    ANSWER_RANK,
    AnswerStatus,
    Consultation,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionReport,
    ContributionSupport,
    OfficialAnswer,
)
from ecoute.services.common import AlreadyDone
from projects.models import OriginOptOut

if TYPE_CHECKING:
    from caflab.accounts.models import UserQuerySet
    from projects.models import Project

Status = Contribution.Status
# What the analysis of a consultation's texts calls a contribution (analysis.models.SourceKind,
# above écoute in the import layers), and the moderation's moves that take one out of it.
CONTRIBUTION_KIND = "contribution"
WITHDRAWN = frozenset({Status.HIDDEN, Status.REJECTED})

# Moderation actions on contributions: the statuses each applies to, and where it leads.
MODERATION: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({Status.PENDING}), Status.PUBLISHED),
    "restore": (frozenset({Status.REPORTED, Status.HIDDEN}), Status.PUBLISHED),
    "hide": (frozenset({Status.PUBLISHED, Status.REPORTED}), Status.HIDDEN),
    "reject": (frozenset({Status.PENDING, Status.REPORTED, Status.HIDDEN}), Status.REJECTED),
}
# Comments are moderated by caflab.engagement (publish, hide, restore; no "reject").


@dataclass
class BulkResult:
    done: list[Contribution]
    skipped: int


# --- people to tell ------------------------------------------------------------------------


def contribution_audience(contribution: Contribution) -> "UserQuerySet":
    """The author and the supporters of a contribution."""
    supporters = ContributionSupport.objects.filter(contribution=contribution).values("user")
    return User.objects.active().filter(Q(pk=contribution.author_id) | Q(pk__in=supporters))


def _tell_author_and_supporters(contribution: Contribution, **message: Any) -> None:
    """The author is always told (their own contribution); supporters as they prefer, unless
    they stopped following what it becomes (projects.OriginOptOut)."""
    if contribution.author_id:
        notify(
            recipients=User.objects.filter(pk=contribution.author_id),
            own_contribution=True,
            **message,
        )
    supporters = ContributionSupport.objects.filter(contribution=contribution).values("user")
    stopped = OriginOptOut.objects.filter(
        content_type=ContentType.objects.get_for_model(Contribution), object_id=contribution.pk
    ).values("user")
    notify(
        recipients=User.objects.active()
        .filter(pk__in=supporters)
        .exclude(pk=contribution.author_id or 0)
        .exclude(pk__in=stopped),
        **message,
    )


def consultation_managers(consultation: Consultation) -> "UserQuerySet":
    """Who moderates a consultation's contributions: its owner, the moderators, and the
    correspondents of its Caf (the whole lab would be too many for each submission)."""
    scope = Q(pk=consultation.owner_id) | Q(role=Role.MODERATOR)
    if consultation.caf_id:
        scope |= Q(role=Role.CORRESPONDENT, caf=consultation.caf_id)
    return User.objects.active().filter(scope)


def moderation_url(consultation: Consultation | None = None) -> str:
    """The one moderation queue, filtered to the contributions (of `consultation`)."""
    return moderation_url_for(consultation.pk if consultation else "")


def moderation_url_for(consultation_pk: int | str) -> str:
    query = {"type": CONTRIBUTIONS_KIND}
    if str(consultation_pk).isdigit():
        query["consultation"] = str(consultation_pk)
    return f"{reverse('engagement:queue')}?{urlencode(query)}"


# --- contributions -------------------------------------------------------------------------


@transaction.atomic
def contribution_submit(
    *,
    consultation: Consultation,
    by: User,
    title: str,
    text: str,
    theme: Any = None,
    caf: Any = None,
) -> Contribution:
    """A contribution to an open consultation collecting them. Pre-moderated: it waits for a
    moderator (who is told); post-moderated: it is published at once."""
    if not (consultation.is_open and consultation.collects_contributions):
        raise InvalidState(_("Cette consultation ne recueille pas de contributions."))
    now = timezone.now()
    published = not consultation.is_premoderated
    contribution = Contribution.objects.create(
        consultation=consultation,
        author=by,
        title=title.strip(),
        text=text.strip(),
        theme=theme,
        caf=caf,
        status=Status.PUBLISHED if published else Status.PENDING,
        published_at=now if published else None,
    )
    if not published:
        notify(
            recipients=consultation_managers(consultation),
            kind="ecoute.contribution_pending",
            title=_("Nouvelle contribution à modérer : « %(title)s »")
            % {"title": contribution.title},
            body=contribution.text[:500],
            url=moderation_url(consultation),
            actor=by,
        )
    return contribution


# --- supports and comments (caflab.engagement; the policy is in ecoute/engagement.py) ---------


def support_add(*, contribution: Contribution, by: User) -> ContributionSupport:
    """Support a published contribution, once per person (a second click is "already done")."""
    return engagement.support_add(target=contribution, by=by)


def support_remove(*, contribution: Contribution, by: User) -> None:
    engagement.support_remove(target=contribution, by=by)


def _reports_since_review(reports: Any, moderated_at: Any) -> int:
    if moderated_at:
        reports = reports.filter(created_at__gt=moderated_at)
    return reports.count()


def contribution_report(*, contribution: Contribution, by: User, reason: str = "") -> None:
    """Report a contribution, once per person. At N reports since its last review (the
    ENGAGEMENT_REPORTS_TO_HIDE setting, 3 by default) it is hidden until a moderator looks at it;
    the managers are told once."""
    try:
        with transaction.atomic():
            ContributionReport.objects.create(
                contribution=contribution, reporter=by, reason=reason.strip()[:300]
            )
    except IntegrityError as exc:
        raise AlreadyDone(_("Vous avez déjà signalé cette contribution.")) from exc
    with transaction.atomic():
        n = _reports_since_review(contribution.reports.all(), contribution.moderated_at)
        if n >= engagement.reports_to_hide():
            # Conditional update: of two reports racing to the threshold, one hides and tells.
            hidden = Contribution.objects.filter(
                pk=contribution.pk, status=Status.PUBLISHED
            ).update(status=Status.REPORTED, updated_at=timezone.now())
            if hidden:
                notify(
                    recipients=consultation_managers(contribution.consultation),
                    kind="ecoute.contribution_reported",
                    title=_("Contribution signalée à examiner : « %(title)s »")
                    % {"title": contribution.title},
                    url=moderation_url(contribution.consultation),
                )


@transaction.atomic
def contributions_moderate(
    *,
    contributions: Iterable[Contribution],
    by: User,
    action: str,
    message: str = "",
) -> BulkResult:
    """Apply a moderation action (publish, restore, hide, reject) to each contribution it
    applies to; the others are skipped (already there, or another moderator was first). Each
    author is told, with the moderator's message if any."""
    if action not in MODERATION:
        raise InvalidState(_("Action de modération inconnue."))
    sources, target = MODERATION[action]
    now = timezone.now()
    pks = [c.pk for c in contributions]
    # Lock the rows: two moderators acting on the same ones apply each move once.
    locked = list(
        Contribution.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("consultation")
        .order_by("pk")
    )
    done = []
    for contribution in locked:
        if contribution.status not in sources:
            continue
        contribution.status = target
        contribution.moderated_by = by
        contribution.moderated_at = now
        fields = ["status", "moderated_by", "moderated_at", "updated_at"]
        if target == Status.PUBLISHED and contribution.published_at is None:
            contribution.published_at = now
            fields.append("published_at")
        contribution.save(update_fields=fields)
        done.append(contribution)
        _tell_author(contribution, by=by, action=action, message=message.strip())
    if target in WITHDRAWN:
        # The analysis of the consultation's texts drops them (and their codes) at once.
        texts_withdraw(CONTRIBUTION_KIND, [contribution.pk for contribution in done])
    return BulkResult(done=done, skipped=len(pks) - len(done))


MODERATION_TITLES = {
    "publish": gettext_lazy("Votre contribution « %(title)s » est publiée"),
    "restore": gettext_lazy("Votre contribution « %(title)s » est de nouveau publiée"),
    "hide": gettext_lazy("Votre contribution « %(title)s » a été masquée par la modération"),
    "reject": gettext_lazy(
        "Votre contribution « %(title)s » n’a pas été retenue par la modération"
    ),
}


def _tell_author(contribution: Contribution, *, by: User, action: str, message: str) -> None:
    if not contribution.author_id:
        return
    notify(
        recipients=User.objects.filter(pk=contribution.author_id),
        kind=f"ecoute.contribution_{action}",
        title=str(MODERATION_TITLES[action]) % {"title": contribution.title},
        body=message,
        url=contribution.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )


# --- comments ------------------------------------------------------------------------------


def comment_add(
    *,
    contribution: Contribution,
    by: User,
    text: str,
    parent: ContributionComment | None = None,
) -> ContributionComment:
    """A comment, or a reply (attached to the top-level comment of its thread). On a
    pre-moderated consultation it waits for a moderator; otherwise it shows at once and the
    contribution's author (and the replied-to author) are told."""
    return engagement.comment_add(target=contribution, by=by, text=text, parent=parent)


def comment_report(
    *, comment: ContributionComment, by: User, reason: str = ""
) -> ContributionCommentReport:
    """Report a comment, once per person; at N reports since its last review it is hidden
    until a moderator looks at it."""
    return engagement.comment_report(comment=comment, by=by, reason=reason)


def comment_moderate(
    *, comment: ContributionComment, by: User, action: str, message: str = ""
) -> ContributionComment:
    """Publish a waiting comment, hide one, or restore a hidden one (its past reports then no
    longer count)."""
    return engagement.comment_moderate(comment=comment, by=by, action=action, message=message)


# --- official answer -----------------------------------------------------------------------


def allowed_answer_statuses(current: str) -> list[str]:
    """The statuses an official answer may move to from `current`: forward only."""
    rank = ANSWER_RANK[AnswerStatus(current)]
    if rank >= ANSWER_RANK[AnswerStatus.ADOPTED]:
        return []
    return [s for s in AnswerStatus.values if ANSWER_RANK[AnswerStatus(s)] > rank]


@transaction.atomic
def official_answer_give(
    *,
    contribution: Contribution,
    by: User,
    status: str,
    text: str,
    reason: str = "",
    project: "Project | None" = None,
) -> OfficialAnswer:
    """Move the contribution's official answer forward: received → under study → taken into
    a project → adopted or not adopted (a reason required). The author and supporters are
    told."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if not contribution.is_published:
        raise InvalidState(_("On répond officiellement aux contributions publiées."))
    if status == contribution.answer_status:
        raise AlreadyDone(_("La réponse officielle a déjà ce statut."))
    if status not in allowed_answer_statuses(contribution.answer_status):
        raise InvalidState({"status": _("La réponse officielle ne peut pas revenir en arrière.")})
    errors = {}
    if not text.strip():
        errors["text"] = _("Rédigez la réponse officielle.")
    if status == AnswerStatus.NOT_ADOPTED and not reason.strip():
        errors["reason"] = _("Indiquez pourquoi la contribution n’est pas retenue.")
    if status == AnswerStatus.IN_PROJECT and project is None:
        errors["project"] = _("Choisissez le projet qui intègre la contribution.")
    if errors:
        raise InvalidState(errors)
    if project is None and status == AnswerStatus.ADOPTED:
        project = contribution.project  # adopted within the project it was taken into
    answer = OfficialAnswer.objects.create(
        contribution=contribution,
        status=status,
        text=text.strip(),
        reason=reason.strip() if status == AnswerStatus.NOT_ADOPTED else "",
        project=project,
        answered_by=by,
    )
    contribution.answer_status = status
    fields = ["answer_status", "updated_at"]
    if project is not None:
        contribution.project = project
        fields.append("project")
    contribution.save(update_fields=fields)
    _tell_author_and_supporters(
        contribution,
        kind="ecoute.official_answer",
        title=_("Réponse officielle à « %(title)s » : %(status)s")
        % {"title": contribution.title, "status": answer.get_status_display().lower()},
        body=answer.text[:500],
        url=contribution.get_absolute_url(),
        actor=by,
    )
    return answer


def on_project_stage_changed(
    sender: Any, *, project: "Project", from_stage: str, to_stage: str, by: Any, **kwargs: Any
) -> None:
    """Receiver of `projects.signals.stage_changed`: tell the authors and supporters of the
    published contributions linked to `project` (by an official answer, or among its origins:
    turned into an idea that became the project), and the respondents of the written answers
    among its origins, that it moved on."""

    from projects.models import ProjectOrigin, Stage

    stage = Stage(to_stage).label
    origins = ProjectOrigin.objects.filter(
        project=project, content_type=ContentType.objects.get_for_model(Contribution)
    ).values("object_id")
    contributions = (
        Contribution.objects.published()
        .filter(Q(project=project) | Q(pk__in=origins))
        .order_by("pk")
    )
    for contribution in contributions:
        _tell_author_and_supporters(
            contribution,
            kind="ecoute.project_stage",
            title=_(
                "Votre contribution « %(title)s » : le projet « %(project)s » passe à l’étape "
                "« %(stage)s »"
            )
            % {"title": contribution.title, "project": project.title, "stage": stage},
            url=contribution.get_absolute_url(),
            actor=by,
        )
    # Written answers to a questionnaire among its origins (one query): each respondent of an
    # answer given by name, and each questionnaire's hear-back addresses once (answers given
    # by name or not).
    from ecoute.models import Answer
    from ecoute.services.hear_back import news_queue

    answers = (
        Answer.objects.filter(
            pk__in=ProjectOrigin.objects.filter(
                project=project, content_type=ContentType.objects.get_for_model(Answer)
            ).values("object_id")
        )
        .select_related("response", "question", "questionnaire__consultation")
        .order_by("pk")
    )
    told = set()
    for answer in answers:
        if answer.response.respondent_id:
            notify(
                recipients=User.objects.active().filter(pk=answer.response.respondent_id),
                own_contribution=True,
                kind="ecoute.project_stage",
                title=_(
                    "Votre réponse à « %(question)s » : le projet « %(project)s » passe à "
                    "l’étape « %(stage)s »"
                )
                % {"question": answer.question.label, "project": project.title, "stage": stage},
                url=answer.get_absolute_url(),
                actor=by,
            )
        if answer.questionnaire_id not in told:
            told.add(answer.questionnaire_id)
            news_queue(
                questionnaire=answer.questionnaire,
                key=f"stage:{project.pk}:{to_stage}",
                subject=_("Une réponse fait avancer un projet"),
                text=_(
                    "Le projet « %(project)s », né d’une réponse écrite à ce questionnaire, "
                    "passe à l’étape « %(stage)s »."
                )
                % {"project": project.title[:150], "stage": stage},
                path=answer.questionnaire.consultation.get_absolute_url(),
            )


# --- restitution ---------------------------------------------------------------------------


def contributions_with_outcomes(consultation: Consultation) -> Any:
    """Each published contribution with its outcome, for the restitution ("you said, we
    did"): `answer_status` (and get_answer_status_display), the linked `project` (with its
    stage), the theme and Caf, `n_supports`, and `latest_answer` (its text and reason, in a
    subquery). Most supported first."""
    from django.db.models import OuterRef, Subquery

    latest = OfficialAnswer.objects.filter(contribution=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return (
        Contribution.objects.published()
        .filter(consultation=consultation)
        .select_related("project", "theme", "caf")
        .with_counts()
        .annotate(
            latest_answer_text=Subquery(latest.values("text")[:1]),
            latest_answer_reason=Subquery(latest.values("reason")[:1]),
        )
        .order_by("-n_supports", "pk")
    )
