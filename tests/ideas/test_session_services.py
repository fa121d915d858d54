"""Editing a creativity session (`session_update`): the session and its facilitators are saved
together, and its request follows it (scheduled when newly linked, held when the session is)."""

import pytest

from ideas.models import CreativitySession, SessionRequest
from ideas.services import sessions as services
from tests.ideas.factories import CreativitySessionFactory, SessionRequestFactory

pytestmark = pytest.mark.django_db

Status = SessionRequest.Status


@pytest.fixture
def session_request(directorate_member):
    return SessionRequestFactory(
        requested_by=directorate_member, directorate=directorate_member.directorate
    )


def update(session: CreativitySession, by, facilitators, **changes) -> CreativitySession:
    was_held, previous_request_id = session.is_held, session.request_id
    for name, value in changes.items():
        setattr(session, name, value)
    return services.session_update(
        session=session,
        by=by,
        facilitators=facilitators,
        was_held=was_held,
        previous_request_id=previous_request_id,
    )


def test_linking_a_request_schedules_it_and_replaces_the_facilitators(
    lab_staff, agent_a, session_request
):
    session = CreativitySessionFactory(facilitators=[lab_staff])
    update(session, lab_staff, [agent_a], request=session_request, title="Atelier renommé")
    session.refresh_from_db()
    session_request.refresh_from_db()
    assert session.title == "Atelier renommé"
    assert list(session.facilitators.all()) == [agent_a]
    assert session_request.status == Status.SCHEDULED


def test_marking_the_session_held_holds_its_request(lab_staff, session_request):
    services.session_request_move(request=session_request, by=lab_staff, status=Status.SCHEDULED)
    session = CreativitySessionFactory(request=session_request, facilitators=[lab_staff])
    update(session, lab_staff, [lab_staff], is_held=True)
    session_request.refresh_from_db()
    assert session_request.status == Status.HELD


def test_an_edit_that_changes_neither_leaves_the_request_where_it_is(lab_staff, session_request):
    services.session_request_move(request=session_request, by=lab_staff, status=Status.SCHEDULED)
    session = CreativitySessionFactory(request=session_request, facilitators=[lab_staff])
    changes = session_request.changes.count()
    update(session, lab_staff, [lab_staff], place="Salle 2")
    session_request.refresh_from_db()
    assert session_request.status == Status.SCHEDULED
    assert session_request.changes.count() == changes
