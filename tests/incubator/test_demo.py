"""The incubator's demo data, through the real services: an open call with a draft, a decided
call whose selected application became an incubated project in a cohort with its calendar;
seeded once."""

import io

import pytest

from caflab.accounts.models import Role
from incubator import demo
from incubator.models import Application, Call, Cohort
from projects.models import Track
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_an_open_call_and_a_decided_one_once(caf_a, caf_b, partner_org):
    UserFactory(email=demo.LAB, role=Role.LAB_STAFF, caf=None)
    UserFactory(email=demo.JUROR, role=Role.CORRESPONDENT, caf=caf_b)
    UserFactory(email=demo.PARTNER, role=Role.PARTNER, caf=None, partner=partner_org)
    UserFactory(email=demo.AGENT, role=Role.AGENT, caf=caf_a)
    UserFactory(email=demo.AGENT_RHONE, role=Role.AGENT, caf=caf_b)

    demo.seed(io.StringIO())
    demo.seed(io.StringIO())

    assert Call.objects.accepting().count() == 1
    decided = Call.objects.get(status=Call.Status.DECIDED)
    selected = decided.applications.get(decision=Application.Decision.SELECTED)
    assert selected.project.track == Track.LOCAL_INCUBATOR
    assert list(selected.project.partners.all()) == [partner_org]
    assert Cohort.objects.get().milestones.count() == 4
    assert Application.objects.filter(status=Application.Status.DRAFT).count() == 1
