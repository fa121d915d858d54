"""Creativity sessions: one more place ideas come from. A directorate asks the lab for a
creativity session (requested → qualified → scheduled → held → debriefed, or declined with a
reason); the lab runs it and enters the ideas it produced, each linked to it. Challenges are
in challenges.py.

Every flow is atomic; the people concerned are told through `notify`, whose mails leave after
the commit.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import InvalidState
from caflab.core.workflow import Workflow, transition
from caflab.notifications.services import follow, followers_of, notify
from ideas.models import CreativitySession, Idea, SessionRequest, SessionRequestChange
from ideas.services.ideas import idea_submit
from projects.services.projects import AlreadyDone

RequestStatus = SessionRequest.Status

# --- session requests ----------------------------------------------------------------------

REQUEST_FLOW = [
    RequestStatus.REQUESTED,
    RequestStatus.QUALIFIED,
    RequestStatus.SCHEDULED,
    RequestStatus.HELD,
    RequestStatus.DEBRIEFED,
]
# A request may be declined until its session is held.
DECLINABLE = (RequestStatus.REQUESTED, RequestStatus.QUALIFIED, RequestStatus.SCHEDULED)


def _request_moves(status: str) -> tuple[str, ...]:
    """Any later step (the lab may skip one), or declined while the session is not held."""
    if status not in REQUEST_FLOW:
        return ()
    later = REQUEST_FLOW[REQUEST_FLOW.index(status) + 1 :]
    return (*later, RequestStatus.DECLINED) if status in DECLINABLE else tuple(later)


REQUEST_WORKFLOW = Workflow(
    moves={status: _request_moves(status) for status in RequestStatus},
    history=SessionRequestChange,
    already_message=gettext_lazy("La demande a déjà ce statut."),
    refused_message=gettext_lazy("Une demande « %(label)s » ne peut pas passer à « %(target)s »."),
    refused_field="status",
    already_error=AlreadyDone,
)


def request_next_statuses(status: str) -> list[str]:
    """Where a request may go from `status` (see `REQUEST_WORKFLOW`)."""
    return list(REQUEST_WORKFLOW.allowed(status))


@transaction.atomic
def session_request_create(*, by: User, **fields: Any) -> SessionRequest:
    """A directorate member asks for a session. They follow the request; the lab is told."""
    if not (by.is_directorate_member and by.directorate_id):
        raise InvalidState(_("Seul un membre d’une direction de la Cnaf peut faire la demande."))
    request = SessionRequest.objects.create(
        requested_by=by, directorate_id=by.directorate_id, **fields
    )
    SessionRequestChange.record(
        request, from_state="", to_state=request.status, by=by, reason=_("Demande déposée.")
    )
    follow(user=by, obj=request)
    notify(
        recipients=User.objects.lab_staff(),
        kind="session_request.created",
        title=_("Nouvelle demande de %(kind)s : %(title)s")
        % {"kind": request.get_kind_display().lower(), "title": request.title},
        body=request.problem,
        url=request.get_absolute_url(),
        actor=by,
    )
    return request


@transaction.atomic
def session_request_move(
    *, request: SessionRequest, by: User, status: str, note: str = "", reason: str = ""
) -> SessionRequest:
    """Move a request along its flow; a decline needs its reason. The move is recorded and the
    requester (with the other followers) told."""
    declined = status == RequestStatus.DECLINED

    def prepare(request: SessionRequest) -> list[str]:
        if declined and not reason.strip():
            raise InvalidState({"reason": _("Un refus doit être motivé.")})
        if declined:
            request.decline_reason = reason
        if request.handled_by_id is None:
            request.handled_by = by
        return ["decline_reason", "handled_by"]

    request = transition(
        request,
        to=status,
        by=by,
        workflow=REQUEST_WORKFLOW,
        reason=reason if declined else note,
        prepare=prepare,
    )
    title = _("Votre demande « %(title)s » : %(status)s") % {
        "title": request.title,
        "status": request.get_status_display().lower(),
    }
    body = reason if status == RequestStatus.DECLINED else note
    url = request.get_absolute_url()
    notify(
        recipients=[request.requested_by],
        kind="session_request.moved",
        title=title,
        body=body,
        url=url,
        actor=by,
        own_contribution=True,
    )
    notify(
        recipients=followers_of(request).exclude(pk=request.requested_by_id),
        kind="session_request.moved",
        title=_("Demande « %(title)s » : %(status)s")
        % {"title": request.title, "status": request.get_status_display().lower()},
        body=body,
        url=url,
        actor=by,
    )
    return request


def _advance_request(request: SessionRequest | None, *, by: User, to: str, note: str) -> None:
    """Bring the session's request up to `to` when it is behind (never back, never a declined
    one): scheduling or holding the session is what moves it."""
    if request is None or request.status not in REQUEST_FLOW:
        return
    if REQUEST_FLOW.index(request.status) < REQUEST_FLOW.index(to):
        session_request_move(request=request, by=by, status=to, note=note)


# --- sessions ------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *, by: User, facilitators: Iterable[User] = (), **fields: Any
) -> CreativitySession:
    """Schedule a session (from a request or not); its request becomes "scheduled"."""
    session = CreativitySession.objects.create(**fields)
    session.facilitators.set(facilitators)
    _advance_request(
        session.request,
        by=by,
        to=RequestStatus.SCHEDULED,
        note=_("Séance programmée le %(date)s.") % {"date": _local_date(session.held_on)},
    )
    if session.is_held:
        _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


@transaction.atomic
def session_update(
    *,
    session: CreativitySession,
    by: User,
    facilitators: Iterable[User],
    was_held: bool,
    previous_request_id: int | None,
) -> CreativitySession:
    """Save `session` as its form changed it (validated, not saved yet; `was_held` and
    `previous_request_id` are what it was before) and its facilitators, and bring its request
    along: a newly linked request is scheduled; a session marked held holds its request."""
    session.save()
    session.facilitators.set(facilitators)
    if session.request_id and session.request_id != previous_request_id:
        _advance_request(
            session.request,
            by=by,
            to=RequestStatus.SCHEDULED,
            note=_("Séance programmée le %(date)s.") % {"date": _local_date(session.held_on)},
        )
    if session.is_held and (not was_held or session.request_id != previous_request_id):
        _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


@transaction.atomic
def session_mark_held(*, session: CreativitySession, by: User) -> CreativitySession:
    updated = CreativitySession.objects.filter(pk=session.pk, is_held=False).update(
        is_held=True, updated_at=timezone.now()
    )
    if not updated:
        raise AlreadyDone(_("La séance est déjà marquée comme tenue."))
    session.is_held = True
    _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


def _local_date(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


@transaction.atomic
def session_ideas_add(
    *, session: CreativitySession, by: User, rows: Iterable[dict[str, Any]]
) -> list[Idea]:
    """Enter the ideas a session produced, in bulk: each row has a title, a problem and an
    author (who follows their idea). Each idea is linked to the session."""
    ideas = []
    for row in rows:
        author = row["author"]
        ideas.append(
            idea_submit(
                by=author,
                title=row["title"],
                problem=row["problem"],
                source=Idea.Source.SESSION,
                session=session,
                caf=author.caf or session.caf,
            )
        )
    return ideas
