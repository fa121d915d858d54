"""The retention purge: once a consultation has been closed for its retention period, the
personal data tied to it goes and the answers stay, detached; safe to run twice."""

import datetime

import pytest
from django.utils import timezone

from ecoute.models import (
    CommunityConsultationInvite,
    Consultation,
    HearBackRequest,
    ParticipationToken,
    Response,
)
from ecoute.services import consultation_answer
from ecoute.services.retention import (
    add_months,
    consultations_purge_personal_data,
    register_retention_hook,
    retention_ends_at,
)
from ecoute.tasks import purge_personal_data
from tests.ecoute.factories import option

pytestmark = pytest.mark.django_db


def _answer(consultation, user, **kwargs):
    from ecoute.conditions import AnswerValue

    question = consultation.questionnaire.questions.order_by("position").first()
    value = AnswerValue(choices=[option(question, "Oui").pk])
    return consultation_answer(
        consultation=consultation, answers={question.pk: value}, user=user, **kwargs
    )


@pytest.fixture
def closed(consultation, citizen, agent_a):
    """Closed on 15 January 2026, kept 6 months: the purge is due on 15 July 2026."""
    _answer(consultation, citizen, hear_back_email="citoyenne@example.org")
    consultation.privacy_retention_months = 6
    consultation.opens_at = datetime.datetime(2025, 12, 1, 9, tzinfo=datetime.UTC)
    consultation.closes_at = datetime.datetime(2026, 1, 15, 18, tzinfo=datetime.UTC)
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    CommunityConsultationInvite.objects.create(consultation=consultation, user=agent_a)
    return consultation


def test_add_months_keeps_the_day_or_takes_the_months_last():
    moment = datetime.datetime(2026, 8, 31, 12, tzinfo=datetime.UTC)
    assert add_months(moment, 6) == datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC)
    assert add_months(moment, 12).date() == datetime.date(2027, 8, 31)


def test_nothing_is_purged_before_the_retention_period_ends(closed):
    assert retention_ends_at(closed) == datetime.datetime(2026, 7, 15, 18, tzinfo=datetime.UTC)
    before = datetime.datetime(2026, 7, 15, 17, 59, tzinfo=datetime.UTC)
    assert consultations_purge_personal_data(now=before) == 0
    assert HearBackRequest.objects.count() == 1
    assert Response.objects.get().respondent is not None


def test_after_the_period_personal_data_goes_and_answers_stay_detached(closed, citizen):
    after = datetime.datetime(2026, 7, 16, tzinfo=datetime.UTC)
    assert consultations_purge_personal_data(now=after) == 1
    response = Response.objects.get()
    assert response.respondent is None
    assert response.answers.count() == 1
    assert not HearBackRequest.objects.exists()
    assert not CommunityConsultationInvite.objects.exists()
    closed.refresh_from_db()
    assert closed.personal_data_purged_at == after
    # idempotent: a second run finds nothing to do
    assert consultations_purge_personal_data(now=after + datetime.timedelta(days=1)) == 0
    closed.refresh_from_db()
    assert closed.personal_data_purged_at == after


def test_the_purge_removes_participation_tokens_and_calls_other_apps_hooks(
    anonymous_consultation, citizen
):
    _answer(anonymous_consultation, citizen)
    assert ParticipationToken.objects.count() == 1
    anonymous_consultation.status = Consultation.Status.ARCHIVED
    anonymous_consultation.closes_at = timezone.now() - datetime.timedelta(days=400)
    anonymous_consultation.opens_at = timezone.now() - datetime.timedelta(days=430)
    anonymous_consultation.save()
    seen = []
    hook = seen.append
    register_retention_hook(hook)
    try:
        assert purge_personal_data.delay().get() == 1
    finally:
        from ecoute.services import retention

        retention._hooks.remove(hook)
    assert seen == [anonymous_consultation]
    assert not ParticipationToken.objects.exists()


def test_open_consultations_are_never_purged(consultation, citizen):
    _answer(consultation, citizen)
    consultation.privacy_retention_months = 0
    consultation.save()
    far = timezone.now() + datetime.timedelta(days=3650)
    assert consultations_purge_personal_data(now=far) == 0
    assert Response.objects.get().respondent == citizen


def test_expired_invitations_never_accepted_lose_their_address(lab_staff):
    from ecoute.models import CommunityInvitation
    from ecoute.services.communities import invitations_purge_expired
    from tests.ecoute.factories import CommunityFactory

    community = CommunityFactory()
    old = timezone.now() - datetime.timedelta(days=15)
    CommunityInvitation.objects.create(community=community, email="a@example.org", created_at=old)
    CommunityInvitation.objects.create(
        community=community, email="b@example.org", created_at=old, accepted_at=old
    )
    CommunityInvitation.objects.create(community=community, email="c@example.org")
    assert invitations_purge_expired() == 1
    assert sorted(CommunityInvitation.objects.values_list("email", flat=True)) == [
        "b@example.org",
        "c@example.org",
    ]
    assert invitations_purge_expired() == 0
