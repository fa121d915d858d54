"""Creativity sessions as calendar entries (`caflab.core.ical`), with the place (or the host
Caf) and the video link, as the session's page shows them. A session has a start only: it is
given `SESSION_LENGTH` (a half day) in calendars."""

import datetime

from caflab.core import ical
from ideas.models import CreativitySession

SESSION_LENGTH = datetime.timedelta(hours=3)


def entry(session: CreativitySession) -> ical.Entry:
    """`session` comes with its Caf (select_related)."""
    place = session.place or (session.caf.name if session.caf else "")
    return ical.Entry(
        uid=ical.uid("seance", session.pk),
        starts_at=session.held_on,
        ends_at=session.held_on + SESSION_LENGTH,
        summary=f"Séance de créativité : {session.title}",
        description=str(session.get_method_display()),
        path=session.get_absolute_url(),
        updated_at=session.updated_at,
        place=place,
        online_url=session.video_link,
    )
