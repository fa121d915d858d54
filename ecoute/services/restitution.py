"""Restitution flows: write the draft (synthesis and decisions), publish it once, e-mail each
hear-back address once, and remind owners of closed consultations still waiting for theirs."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caflab.notifications.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.models import (
    Consultation,
    Decision,
    HearBackRequest,
    Response,
    Restitution,
    RestitutionEmail,
    RestitutionReminder,
)
from ecoute.public_cache import public_changed
from ecoute.services.common import AlreadyDone

logger = logging.getLogger(__name__)
Status = Consultation.Status

# Statuses where a restitution may be published: once the consultation has been answered.
PUBLISHABLE = (Status.OPEN, Status.CLOSED, Status.RESULTS_PUBLISHED, Status.ARCHIVED)


@dataclass(frozen=True)
class DecisionSpec:
    said: str
    done: str
    project: Any = None


def reminder_days() -> int:
    return int(getattr(settings, "ECOUTE_RESTITUTION_REMINDER_DAYS", 30))


@transaction.atomic
def restitution_save(
    *, consultation: Consultation, by: Any, synthesis: str, decisions: list[DecisionSpec]
) -> Restitution:
    """Create or update the consultation's restitution and replace its decisions. Editing a
    published restitution corrects it without telling anyone again."""
    restitution, _created = Restitution.objects.select_for_update().get_or_create(
        consultation=consultation, defaults={"synthesis": synthesis}
    )
    restitution.synthesis = synthesis
    restitution.save(update_fields=["synthesis", "updated_at"])
    restitution.decisions.all().delete()
    public_changed()  # bulk writes send no signal
    Decision.objects.bulk_create(
        Decision(
            restitution=restitution,
            said=spec.said,
            done=spec.done,
            project=spec.project,
            position=position,
        )
        for position, spec in enumerate(decisions, start=1)
    )
    return restitution


@transaction.atomic
def restitution_publish(
    *, consultation: Consultation, by: Any, now: datetime.datetime | None = None
) -> Restitution:
    """Publish the restitution: once (a second click or a race → AlreadyDone). A closed
    consultation moves to "results published". Respondents with an account are notified in the
    app; every hear-back address is e-mailed by a task, once."""
    now = now or timezone.now()
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    restitution = Restitution.objects.select_for_update().filter(consultation=locked).first()
    if restitution is None:
        raise ValidationError(_("Rédigez la restitution avant de la publier."))
    if restitution.is_published:
        raise AlreadyDone(_("Cette restitution est déjà publiée."))
    if locked.status not in PUBLISHABLE:
        raise ValidationError(_("La restitution se publie une fois la consultation ouverte."))
    if not restitution.synthesis.strip():
        raise ValidationError(_("Écrivez la synthèse avant de publier."))
    restitution.status = Restitution.Status.PUBLISHED
    restitution.published_at = now
    restitution.published_by = by
    restitution.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    if locked.status == Status.CLOSED:
        locked.publish_results(now)
    restitution.consultation = locked
    _notify_respondents(restitution, by)
    enqueue_on_commit(tasks.send_restitution_emails, restitution.pk)
    return restitution


def _notify_respondents(restitution: Restitution, by: Any) -> None:
    """Respondents with an account (named answers only) hear it in the app; those who also left
    their address get the e-mail instead, not both."""
    consultation = restitution.consultation
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is None:
        return
    from caflab.accounts.models import User

    addresses = HearBackRequest.objects.filter(questionnaire=questionnaire).values("email")
    respondents = (
        User.objects.filter(
            pk__in=Response.objects.filter(
                questionnaire=questionnaire, respondent__isnull=False
            ).values("respondent")
        )
        .exclude(email__in=addresses)
        .order_by("pk")
    )
    notify(
        recipients=respondents,
        kind="ecoute.restitution",
        title=_("Vous avez dit, nous avons fait : « %(title)s »") % {"title": consultation.title},
        body=_("La restitution de la consultation à laquelle vous avez répondu est publiée."),
        url=restitution.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )


def _render_email(restitution: Restitution) -> tuple[str, str]:
    consultation = restitution.consultation
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[CafLab] Vous avez dit, nous avons fait : %(title)s") % {
            "title": " ".join(consultation.title.split())[:150]
        }
        body = render_to_string(
            "ecoute/restitution/email.txt",
            {
                "consultation": consultation,
                "restitution": restitution,
                "decisions": list(restitution.decisions.all()),
                "link": f"{settings.SITE_URL}{restitution.get_absolute_url()}",
            },
        )
    return subject, body


def restitution_send_emails(*, restitution_id: int) -> int:
    """E-mail every hear-back address of the consultation, one e-mail per address, each once:
    the RestitutionEmail row is written in the transaction that sends, so a re-run (or a second
    worker, blocked on the unique index) skips it; a failed sending rolls its row back and the
    daily task tries again. Returns how many e-mails went out."""
    restitution = (
        Restitution.objects.published()
        .select_related("consultation__questionnaire")
        .filter(pk=restitution_id)
        .first()
    )
    if restitution is None or restitution.emails_done_at:
        return 0
    subject, body = _render_email(restitution)
    pending = HearBackRequest.objects.filter(
        questionnaire=restitution.consultation.questionnaire
    ).exclude(pk__in=RestitutionEmail.objects.filter(restitution=restitution).values("hear_back"))
    sent, failed = 0, 0
    for hear_back in pending.order_by("pk").iterator():
        try:
            with transaction.atomic():
                RestitutionEmail.objects.create(restitution=restitution, hear_back=hear_back)
                send_mail(subject, body, None, [hear_back.email])
        except IntegrityError:  # another run is sending this one
            continue
        except Exception:  # SMTP down: logged, rolled back, tried again by the daily task
            failed += 1
            logger.exception("Restitution %s: e-mail %s not sent", restitution.pk, hear_back.pk)
            continue
        sent += 1
    if not failed:
        Restitution.objects.filter(pk=restitution.pk, emails_done_at__isnull=True).update(
            emails_done_at=timezone.now()
        )
    return sent


def restitution_emails_resend() -> int:
    """Published restitutions whose e-mails are not all out (a lost message, an SMTP outage)."""
    sent = 0
    for pk in (
        Restitution.objects.published()
        .filter(emails_done_at__isnull=True)
        .values_list("pk", flat=True)
    ):
        sent += restitution_send_emails(restitution_id=pk)
    return sent


def restitution_reminders_send(now: datetime.datetime | None = None) -> int:
    """Remind the owner of each consultation closed for `reminder_days()` days without a
    published restitution; at most one reminder per consultation per that many days (recorded,
    and the consultation row locked while deciding, so concurrent runs send one)."""
    now = now or timezone.now()
    days = reminder_days()
    since = now - datetime.timedelta(days=days)
    due = (
        Consultation.objects.filter(status=Status.CLOSED, status_changed_at__lte=since)
        .exclude(restitution__status=Restitution.Status.PUBLISHED)
        .values_list("pk", flat=True)
    )
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update().select_related("owner").get(pk=pk)
            )
            if RestitutionReminder.objects.filter(
                consultation=consultation, sent_at__gt=since
            ).exists():
                continue
            RestitutionReminder.objects.create(consultation=consultation, sent_at=now)
            notify(
                recipients=[consultation.owner],
                kind="ecoute.restitution_reminder",
                title=_(
                    "La consultation « %(title)s » est close depuis %(days)s jours : "
                    "dites aux participants ce que vous en avez fait"
                )
                % {"title": consultation.title, "days": days},
                url=consultation.get_manage_url(),
            )
            reminded += 1
    return reminded
