"""Portfolio reminders, run daily by celery beat. Safe to run twice the same day: each
reminder is a notification whose kind carries the date, sent only if not sent yet."""

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.notifications.models import Notification
from caflab.notifications.services import notify
from projects.models import GateReview, Project, Stage
from projects.services import review_url


def not_yet_notified(kind: str, recipients) -> list:
    already = Notification.objects.filter(kind=kind).values("recipient")
    return list(recipients.exclude(pk__in=already))


@shared_task(acks_late=True)
def remind_shelved_projects() -> int:
    """A shelved project comes back to its lead and the lab on its revisit date."""
    today = timezone.localdate()
    sent = 0
    for project in Project.objects.filter(stage=Stage.SHELVED, revisit_on__lte=today):
        kind = f"project.revisit.{project.pk}.{project.revisit_on:%Y%m%d}"
        recipients = User.objects.active().filter(pk=project.lead_id) | User.objects.lab_staff()
        sent += len(
            notify(
                recipients=not_yet_notified(kind, recipients.distinct()),
                kind=kind,
                title=_("%(code)s est à réexaminer") % {"code": project.code},
                body=_("Ce projet mis en attente arrive à sa date de réexamen."),
                url=project.get_absolute_url(),
            )
        )
    return sent


@shared_task(acks_late=True)
def remind_due_gate_reviews() -> int:
    """Gate reviews past their due date are recalled to the lab and their reviewers, daily."""
    today = timezone.localdate()
    sent = 0
    for review in GateReview.objects.due_by(today).select_related("project"):
        kind = f"project.gate_due.{review.pk}.{today:%Y%m%d}"
        recipients = User.objects.lab_staff() | review.reviewers.all()
        sent += len(
            notify(
                recipients=not_yet_notified(kind, recipients.distinct()),
                kind=kind,
                title=_("Revue de passage en attente de décision : %(code)s")
                % {"code": review.project.code},
                url=review_url(review),
            )
        )
    return sent
