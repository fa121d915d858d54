"""Retention of personal data (RGPD): once a consultation has been closed for its
`privacy_retention_months`, the personal data tied to it is erased and the answers stay, detached
from anyone.

What goes: the e-mails left to hear back, the link between a named answer and its account, the
participation tokens (keyed hashes saying "this browser or account answered"), the record of the
community members invited to it, and whatever other apps tied to the consultation, through
`register_retention_hook` (e.g. the personal fields of a recruitment's registrations):

    # in the app's AppConfig.ready()
    from ecoute.services.retention import register_retention_hook
    register_retention_hook(erase_registrations_of_consultation)  # fn(consultation) -> None

The daily task runs `consultations_purge_personal_data`; it is idempotent: a consultation is
stamped `personal_data_purged_at` once done and skipped afterwards, and each step is a DELETE or
an UPDATE that finds nothing the second time.
"""

import calendar
import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from ecoute.models import (
    CommunityConsultationInvite,
    Consultation,
    HearBackRequest,
    ParticipationToken,
    Response,
)

RetentionHook = Callable[[Consultation], object]
_hooks: list[RetentionHook] = []

FINISHED = (
    Consultation.Status.CLOSED,
    Consultation.Status.RESULTS_PUBLISHED,
    Consultation.Status.ARCHIVED,
)


def register_retention_hook(hook: RetentionHook) -> None:
    """Have `hook(consultation)` erase another app's personal data tied to a consultation when
    its retention period ends. It must be idempotent and run inside the caller's transaction."""
    if hook not in _hooks:
        _hooks.append(hook)


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """`moment` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_ends_at(consultation: Consultation) -> datetime.datetime | None:
    if consultation.closes_at is None:
        return None
    return add_months(consultation.closes_at, consultation.privacy_retention_months)


@transaction.atomic
def consultation_purge_personal_data(
    *, consultation: Consultation, now: datetime.datetime | None = None
) -> None:
    """Erase the personal data tied to `consultation` (whatever its dates: the caller decides)."""
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is not None:
        HearBackRequest.objects.filter(questionnaire=questionnaire).delete()
        Response.objects.filter(questionnaire=questionnaire, respondent__isnull=False).update(
            respondent=None
        )
        ParticipationToken.objects.filter(questionnaire=questionnaire).delete()
    CommunityConsultationInvite.objects.filter(consultation=consultation).delete()
    for hook in _hooks:
        hook(consultation)
    Consultation.objects.filter(pk=consultation.pk).update(
        personal_data_purged_at=now or timezone.now()
    )


def consultations_purge_personal_data(now: datetime.datetime | None = None) -> int:
    """Purge every finished consultation whose retention period has ended; returns how many."""
    now = now or timezone.now()
    candidates = Consultation.objects.filter(
        status__in=FINISHED, closes_at__lte=now, personal_data_purged_at__isnull=True
    ).select_related("questionnaire")
    purged = 0
    for consultation in candidates.iterator(chunk_size=200):
        ends_at = retention_ends_at(consultation)
        if ends_at is not None and ends_at <= now:
            consultation_purge_personal_data(consultation=consultation, now=now)
            purged += 1
    return purged
