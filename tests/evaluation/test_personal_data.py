""" "My data" for network staff, evaluation side (issue 16): the measurements an agent entered,
the testimonies they collected, the survey invitations sent to their address and their name on
judgements are in the JSON and CSV downloads; erasing the account keeps the evidence (values,
testimonies, judgements) without the name, and the invitations without the address."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from caflab.accounts import personal_data
from evaluation.models import Judgement, Measurement, SurveyInvitation, Testimony
from tests.evaluation.factories import (
    JudgementFactory,
    MeasurementFactory,
    SurveyInvitationFactory,
    TestimonyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(agent_a):
    MeasurementFactory(entered_by=agent_a, value=Decimal("47.5"), source="Requête Cristal T1")
    TestimonyFactory(collected_by=agent_a, text="Je ne savais pas que j'y avais droit.")
    JudgementFactory(judged_by=agent_a, rationale="Les familles reviennent.")
    SurveyInvitationFactory(email=agent_a.email)
    return agent_a


EXPECTED = ("47.5", "Requête Cristal T1", "Je ne savais pas que j'y avais droit.", "Jugé par vous")


def test_the_downloads_hold_the_agents_evaluation_work(client, evaluator):
    client.force_login(evaluator)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    sections = json.loads(response.content)["sections"]
    assert len(sections["evaluation.measurements"]["items"]) == 1
    assert len(sections["evaluation.testimonies"]["items"]) == 1
    assert len(sections["evaluation.survey_invitations"]["items"]) == 1
    assert [i["Rôle"] for i in sections["evaluation.activity"]["items"]] == ["Jugé par vous"]
    text = response.content.decode()
    csv = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "csv"}))
    csv_text = csv.content.decode("utf-8-sig")
    for expected in EXPECTED:
        assert expected in text, expected
        assert expected in csv_text, expected


def test_erasure_keeps_the_evidence_without_the_name(evaluator):
    address = evaluator.email
    personal_data.account_erase(user=evaluator)
    measurement = Measurement.objects.get()
    assert measurement.value == Decimal("47.5")
    assert measurement.entered_by_id is None
    assert Testimony.objects.get().collected_by_id is None
    assert Judgement.objects.get().judged_by_id is None
    assert not SurveyInvitation.objects.filter(email__iexact=address).exists()
    assert SurveyInvitation.objects.count() == 1
