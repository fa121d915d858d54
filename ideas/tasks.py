"""The idea box's reminders, run daily by celery beat. Safe to run twice the same day: each
reminder is a notification whose kind carries the date, sent only if not sent yet."""

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.notifications.services import notify
from ideas.models import Idea
from projects.tasks import not_yet_notified


@shared_task(acks_late=True)
def remind_shelved_ideas() -> int:
    """A shelved idea comes back, on its revisit date, to whoever triages it: the lab, and the
    correspondents of its Caf."""
    today = timezone.localdate()
    sent = 0
    for idea in Idea.objects.filter(status=Idea.Status.SHELVED, revisit_on__lte=today):
        kind = f"idea.revisit.{idea.pk}.{idea.revisit_on:%Y%m%d}"
        recipients = User.objects.lab_staff()
        if idea.caf_id:
            recipients = recipients | User.objects.correspondents_of(idea.caf_id)
        sent += len(
            notify(
                recipients=not_yet_notified(kind, recipients.distinct()),
                kind=kind,
                title=_("Idée à réexaminer : %(title)s") % {"title": idea.title[:150]},
                body=_("Cette idée mise en attente arrive à sa date de réexamen."),
                url=idea.get_absolute_url(),
            )
        )
    return sent
