"""The follow-up of a restitution's decisions ("où on en est"), like Decidim's accountability:
each decision has a status (planned, in progress, done, abandoned: with a reason), a progress in
%, an optional portfolio project, and dated updates (`DecisionUpdate`, never deleted).

Every update goes through `caflab.core.workflow.transition` (the decision row locked, its
status checked, the update written as the history row). When a published restitution's
decision moves (status or progress), the people who took part hear of it, in a task given the
update's id: in the app for respondents with an account and contributors, by e-mail for the
hear-back addresses (each address once per update, `DecisionUpdateEmail`)."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.errors import AlreadyDone, InvalidState
from caflab.core.mail import MailAction
from caflab.core.queueing import enqueue_on_commit
from caflab.core.workflow import Workflow, transition
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.models import (
    Consultation,
    Contribution,
    Decision,
    DecisionStatus,
    DecisionUpdate,
    DecisionUpdateEmail,
    HearBackRequest,
    Response,
)
from ecoute.services.hear_back import send_each_once

logger = logging.getLogger(__name__)
S = DecisionStatus

# Where a decision may go. Every state may take a new update while in it (more progress, news):
# `repeatable`. A done decision may be reopened; an abandoned one taken up again.
WORKFLOW = Workflow(
    moves={
        S.PLANNED: (S.IN_PROGRESS, S.DONE, S.ABANDONED),
        S.IN_PROGRESS: (S.PLANNED, S.DONE, S.ABANDONED),
        S.DONE: (S.IN_PROGRESS,),
        S.ABANDONED: (S.PLANNED, S.IN_PROGRESS),
    },
    history=DecisionUpdate,
    repeatable=frozenset(S.values),
    refused_message=gettext_lazy(
        "Une décision « %(label)s » ne peut pas passer à « %(target)s » : rouvrez-la d’abord."
    ),
    refused_field="status",
)


def follow_up_url(consultation: Consultation) -> str:
    return reverse("ecoute:follow-up", kwargs={"slug": consultation.slug})


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: Any,
    status: str,
    progress: int,
    text: str = "",
    now: datetime.datetime | None = None,
) -> DecisionUpdate:
    """Record where `decision` stands: its status, its progress (100 % once done) and what
    happened (required to abandon it). Nothing changed and nothing said → AlreadyDone (a double
    click). A move of a published restitution's decision is announced after the commit."""
    text = (text or "").strip()
    if status not in S.values:
        raise InvalidState({"status": _("Choisissez un avancement de la liste.")})
    if progress is None or not 0 <= int(progress) <= 100:
        raise InvalidState({"progress": _("La progression se donne en pourcentage, de 0 à 100.")})
    progress = 100 if status == S.DONE else int(progress)
    if status == S.ABANDONED and not text:
        raise InvalidState(
            {
                "text": _(
                    "Dites pourquoi cette décision est abandonnée : c’est affiché publiquement."
                )
            }
        )
    moved = {"value": False}

    def prepare(locked: Decision) -> list[str]:
        moved["value"] = locked.status != status or locked.progress != progress
        if not moved["value"] and not text:
            raise AlreadyDone(_("C’est déjà fait : la décision en est déjà là."))
        locked.progress = progress
        return ["progress"]

    locked = transition(
        decision,
        to=status,
        by=by,
        workflow=WORKFLOW,
        reason=text,
        history_extra={"progress": progress},
        prepare=prepare,
        now=now,
    )
    decision.status, decision.progress = locked.status, locked.progress
    decision.status_changed_at = locked.status_changed_at
    update = DecisionUpdate.objects.filter(decision=locked).latest("at", "pk")
    published = locked.restitution.is_published
    if moved["value"] and published:
        enqueue_on_commit(tasks.announce_decision_update, update.pk)
    return update


def _people_to_tell(consultation: Consultation) -> Any:
    """Who hears in the app: respondents with an account (named answers) and contributors;
    those who also left their address get the e-mail instead, not both."""
    from caflab.accounts.models import User

    questionnaire = getattr(consultation, "questionnaire", None)
    took_part = Q(pk__in=Contribution.objects.filter(consultation=consultation).values("author"))
    addresses = HearBackRequest.objects.none().values("email")
    if questionnaire is not None:
        took_part |= Q(
            pk__in=Response.objects.filter(
                questionnaire=questionnaire, respondent__isnull=False
            ).values("respondent")
        )
        addresses = HearBackRequest.objects.filter(questionnaire=questionnaire).values("email")
    return User.objects.filter(took_part).exclude(email__in=addresses).order_by("pk")


def decision_update_announce(*, update_id: int, now: datetime.datetime | None = None) -> int:
    """Tell the people who took part that a decision moved: once in the app (the update row
    locked, `announced_at` set in the same transaction), then one e-mail per hear-back address,
    each once (`DecisionUpdateEmail` written in the transaction that sends). Safe to run twice.
    Returns how many e-mails went out."""
    now = now or timezone.now()
    with transaction.atomic():
        update = (
            DecisionUpdate.objects.select_for_update(of=("self",))
            .select_related("decision__restitution__consultation", "by")
            .get(pk=update_id)
        )
        decision = update.decision
        consultation = decision.restitution.consultation
        if not decision.restitution.is_published:
            return 0
        title = _("« %(title)s » : une décision avance (%(status)s, %(progress)s %%)") % {
            "title": consultation.title,
            "status": update.get_status_display().lower(),
            "progress": update.progress,
        }
        if update.announced_at is None:
            notify(
                recipients=_people_to_tell(consultation),
                kind="ecoute.decision_update",
                title=title,
                body=decision.said[:200],
                url=follow_up_url(consultation),
                actor=update.by,
                own_contribution=True,
                key=f"ecoute.decision_update:{update.pk}",
            )
            update.announced_at = now
            update.save(update_fields=["announced_at"])
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[CafLab] Où en est-on : %(title)s") % {
            "title": " ".join(consultation.title.split())[:150]
        }
        context = {
            "consultation": consultation,
            "decision": decision,
            "update": update,
            "link": f"{settings.SITE_URL}{follow_up_url(consultation)}",
        }
        # The decision is typed in Markdown: plain text in the text part, rendered in the HTML.
        body = render_to_string("ecoute/restitution/decision_update_email.txt", context)
        html = render_to_string("ecoute/restitution/decision_update_email.html", context)
    sent, _failed = send_each_once(
        questionnaire_id=questionnaire.pk,
        told=DecisionUpdateEmail.objects.filter(update=update),
        record=lambda hear_back: DecisionUpdateEmail(update=update, hear_back=hear_back),
        subject=subject,
        body=body,
        html=html,
        what=f"Decision update {update.pk}",
        action=MailAction(
            _("Voir les décisions"), f"{settings.SITE_URL}{follow_up_url(consultation)}"
        ),
    )
    return sent


# A decision update whose e-mails are not all sent this long after its announcement (SMTP down,
# a killed worker) is announced again; past a week, the addresses are left alone.
RESEND_AFTER = datetime.timedelta(minutes=10)
RESEND_FOR = datetime.timedelta(days=7)


def decision_updates_resend(now: datetime.datetime | None = None) -> int:
    """Queue again the announcement of the updates of the last week that still owe an e-mail
    to a hear-back address (the announcement sends only what is owed); the number queued."""
    from caflab.core.queueing import enqueue

    now = now or timezone.now()
    owed = HearBackRequest.objects.filter(
        questionnaire__consultation__restitution__decisions__updates=OuterRef("pk")
    ).exclude(
        pk__in=DecisionUpdateEmail.objects.filter(update=OuterRef(OuterRef("pk"))).values(
            "hear_back"
        )
    )
    stale = DecisionUpdate.objects.filter(
        announced_at__lte=now - RESEND_AFTER,
        announced_at__gte=now - RESEND_FOR,
        decision__restitution__published_at__isnull=False,
    ).filter(Exists(owed))
    queued = 0
    for pk in stale.order_by("pk").values_list("pk", flat=True)[:500]:
        queued += bool(enqueue(tasks.announce_decision_update, pk))
    return queued
