import pytest

from incubator.models import Call
from tests.incubator.factories import make_call


@pytest.fixture
def call(lab_staff, agent_b):
    """An open call for agents and partners, agent B on its jury."""
    return make_call(lab_staff, jury=[agent_b])


@pytest.fixture
def closed_call(call):
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
    call.refresh_from_db()
    return call
