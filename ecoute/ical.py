"""Recruitments (workshops, user tests) as calendar entries (`caflab.core.ical`). The video
link goes only to whom the recruitment page gives it: the confirmed participants and the
consultation's managers (everyone else reads the place, or "en visio")."""

from collections.abc import Iterable

from django.utils import timezone

from caflab.core import ical
from ecoute.models import Recruitment, Registration


def entry(recruitment: Recruitment, *, with_link: bool) -> ical.Entry:
    return ical.Entry(
        uid=ical.uid("recrutement", recruitment.pk),
        starts_at=recruitment.starts_at,
        ends_at=recruitment.ends_at,
        summary=f"{recruitment.get_kind_display()} : {recruitment.title}",
        description=recruitment.description,
        path=recruitment.get_absolute_url(),
        updated_at=recruitment.updated_at,
        place=recruitment.place or ("" if with_link else "En visio"),
        online_url=recruitment.video_link if with_link else "",
    )


def linked_ids(user, recruitments: Iterable[Recruitment]) -> set[int]:
    """Among `recruitments`, those whose video link `user` may read (two queries at most)."""
    ids = [r.pk for r in recruitments]
    if not (user.is_authenticated and ids):
        return set()
    confirmed = Registration.objects.filter(
        recruitment__in=ids, user=user, status=Registration.Status.CONFIRMED
    ).values_list("recruitment_id", flat=True)
    managed = Recruitment.objects.managed_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    return set(confirmed) | set(managed)


def calendar_for(user, recruitments: list[Recruitment], *, name: str) -> bytes:
    linked = linked_ids(user, recruitments)
    return ical.calendar_of((entry(r, with_link=r.pk in linked) for r in recruitments), name=name)


def upcoming_for(user) -> list[Recruitment]:
    return list(
        Recruitment.objects.visible_to(user)
        .filter(ends_at__gte=timezone.now())
        .order_by("starts_at", "pk")[: ical.FEED_LIMIT]
    )
