"""Selecting an application under a race: two lab members deciding at once make one project,
the other one is told "déjà fait" (PostgreSQL only: SQLite serialises writers)."""

from caflab.core.errors import AlreadyDone
from incubator.models import Application, Call
from incubator.services import application_decide
from projects.models import Project
from tests.concurrency import RACE, run_together, unexpected
from tests.incubator.factories import make_call, submitted_application

pytestmark = RACE


def test_two_lab_members_selecting_at_once_make_one_project(lab_staff, agent_a, agent_b):
    call = make_call(lab_staff, jury=[agent_b])
    application = submitted_application(call, agent_a)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)

    def decide():
        return application_decide(
            application=application, by=lab_staff, decision="selected", reason="Oui."
        )

    outcomes = run_together(decide, 4)
    assert not unexpected(outcomes, Application, AlreadyDone), outcomes
    assert sum(isinstance(o, Application) for o in outcomes) == 1
    assert Project.objects.count() == 1
