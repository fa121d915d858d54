"""Editing a challenge (`challenge_update`): the challenge, its jury and its criteria change
together or not at all."""

import datetime

import pytest
from django.db import IntegrityError

from ideas.models import Challenge
from ideas.services import challenges as services
from projects.models import GateCriterion, Scorecard
from tests.accounts.factories import UserFactory
from tests.ideas.factories import ChallengeCriterionFactory, ChallengeFactory

pytestmark = pytest.mark.django_db


def labels_of(challenge: Challenge) -> list[str]:
    return sorted(challenge.criteria.values_list("label", flat=True))


def test_the_jury_and_the_criteria_are_replaced_with_the_challenge():
    juror, other_juror = UserFactory(lab=True), UserFactory(lab=True)
    challenge = ChallengeFactory()
    challenge.jury.set([juror])
    kept = ChallengeCriterionFactory(challenge=challenge, label="Impact")
    removed = ChallengeCriterionFactory(challenge=challenge, label="Coût")
    challenge.title = "Défi renommé"
    kept.weight = 3
    services.challenge_update(
        challenge=challenge,
        jury=[other_juror],
        criteria=[kept, GateCriterion(label="Faisabilité", weight=2)],
        removed_criteria=[removed],
    )
    challenge.refresh_from_db()
    assert challenge.title == "Défi renommé"
    assert list(challenge.jury.all()) == [other_juror]
    assert labels_of(challenge) == ["Faisabilité", "Impact"]
    assert set(challenge.criteria.values_list("scorecard", flat=True)) == {Scorecard.CHALLENGE}
    assert challenge.criteria.get(label="Impact").weight == 3


def test_a_criterion_removed_and_added_again_under_its_label_does_not_collide():
    challenge = ChallengeFactory()
    removed = ChallengeCriterionFactory(challenge=challenge, label="Impact")
    services.challenge_update(
        challenge=challenge,
        jury=[],
        criteria=[GateCriterion(label="Impact", weight=5)],
        removed_criteria=[removed],
    )
    assert challenge.criteria.get().weight == 5


def test_dates_out_of_order_keep_the_jury_and_the_criteria_as_they_were():
    juror = UserFactory(lab=True)
    challenge = ChallengeFactory()
    challenge.jury.set([juror])
    criterion = ChallengeCriterionFactory(challenge=challenge, label="Impact")
    challenge.results_on = challenge.submissions_open_on - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError):
        services.challenge_update(
            challenge=challenge,
            jury=[],
            criteria=[GateCriterion(label="Nouveau")],
            removed_criteria=[criterion],
        )
    assert list(challenge.jury.all()) == [juror]
    assert labels_of(challenge) == ["Impact"]


def test_a_criterion_refused_by_the_database_undoes_the_whole_edit():
    juror = UserFactory(lab=True)
    challenge = ChallengeFactory(title="Titre d'origine")
    challenge.jury.set([juror])
    ChallengeCriterionFactory(challenge=challenge, label="Impact")
    challenge.title = "Titre changé"
    with pytest.raises(IntegrityError):  # a second "Impact": written after the jury
        services.challenge_update(
            challenge=challenge, jury=[], criteria=[GateCriterion(label="Impact")]
        )
    challenge.refresh_from_db()
    assert challenge.title == "Titre d'origine"
    assert list(challenge.jury.all()) == [juror]
    assert labels_of(challenge) == ["Impact"]
