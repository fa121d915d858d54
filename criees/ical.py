"""Criées as calendar entries (`caflab.core.ical`): the place and the connection link, as the
criée's page shows them to the network. A criée has a start only: it is given
`CRIEE_LENGTH` in calendars."""

import datetime

from caflab.core import ical
from criees.models import Criee

CRIEE_LENGTH = datetime.timedelta(hours=2)


def entry(criee: Criee) -> ical.Entry:
    return ical.Entry(
        uid=ical.uid("criee", criee.pk),
        starts_at=criee.starts_at,
        ends_at=criee.starts_at + CRIEE_LENGTH,
        summary=f"Criée : {criee.title}",
        description=criee.description,
        path=criee.get_absolute_url(),
        updated_at=criee.updated_at,
        place=criee.place if criee.is_onsite else "",
        online_url=criee.online_url if criee.is_online else "",
    )
