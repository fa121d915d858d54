"""Proposals that came out of an event as a source of innovation (projects.origins): the lab,
or the correspondent of the event's Caf, turns a proposal into an idea of the box; those who
came to the event are told what became of it."""

from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.accounts.permissions import is_correspondent, is_lab_staff
from events.models import DebateProposal, Event, Registration
from projects.origins import OriginKind, OriginText, register_origin_kind


def describe(proposal: DebateProposal) -> OriginText:
    event = proposal.event
    return OriginText(
        title=Truncator(" ".join(proposal.text.split())).chars(120),
        text=_("Proposition issue de « %(event)s » (%(kind)s) :\n\n%(text)s")
        % {"event": event.title, "kind": event.get_kind_display().lower(), "text": proposal.text},
        caf_id=event.caf_id,
    )


def participants(proposal: DebateProposal):
    """Those who came (attendance taken), and the organisers, active."""
    came = Registration.objects.filter(event=proposal.event_id, attended=True).values("user")
    organisers = Event.organisers.through.objects.filter(event=proposal.event_id).values("user")
    return User.objects.active().filter(Q(pk__in=came) | Q(pk__in=organisers))


def authors(proposal: DebateProposal):
    """The organisers, active: they wrote the synthesis the proposal is part of. Those who came
    hear in their notification preference, and may stop following."""
    organisers = Event.organisers.through.objects.filter(event=proposal.event_id).values("user")
    return User.objects.active().filter(pk__in=organisers)


def visible_to(user, proposal: DebateProposal) -> bool:
    """Whoever sees the event."""
    return DebateProposal.objects.visible_to(user).filter(pk=proposal.pk).exists()


def may_convert(user, proposal: DebateProposal) -> bool:
    """The lab, or a correspondent for their Caf's event."""
    caf_id = proposal.event.caf_id
    return is_lab_staff(user) or bool(is_correspondent(user) and caf_id and caf_id == user.caf_id)


def register() -> None:
    register_origin_kind(
        OriginKind(
            model="events.DebateProposal",
            idea_source="event",
            describe=describe,
            participants=participants,
            authors=authors,
            visible_to=visible_to,
            may_convert=may_convert,
        )
    )
