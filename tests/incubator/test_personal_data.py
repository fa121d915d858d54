"""The incubator in "my data": one's applications with their answers, one's jury scores, one's
name on the lab's calls and cohorts; erasure takes the person off the juries."""

import pytest

from caflab.accounts import personal_data
from incubator.services import application_score
from tests.incubator.factories import submitted_application

pytestmark = pytest.mark.django_db


def _section(user, key: str) -> list[dict]:
    return next(e.rows for e in personal_data.export_user(user) if e.key == key)


def test_an_applicant_finds_their_application_and_answers(call, partner):
    submitted_application(call, partner, title="Les cafés des droits")
    rows = _section(partner, "incubator.applications")
    assert [row["Projet"] for row in rows] == ["Les cafés des droits"]
    assert rows[0]["Réponses au formulaire"]


def test_a_juror_finds_their_scores_and_leaves_the_jury_on_erasure(closed_call, agent_a, agent_b):
    application = submitted_application(closed_call, agent_a)
    criterion = closed_call.criteria.first()
    application_score(application=application, juror=agent_b, scores={criterion.pk: (4, "Bien")})
    assert _section(agent_b, "incubator.scores")[0]["Note"] == 4
    assert _section(agent_b, "incubator.activity")
    next(s for s in personal_data.sections() if s.key == "incubator.activity").erase(agent_b)
    assert not closed_call.jury.filter(pk=agent_b.pk).exists()
