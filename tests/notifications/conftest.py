"""Recipients with each e-mail preference, and the actor of the events."""

import pytest

from caflab.accounts.models import EmailFrequency
from tests.accounts.factories import UserFactory


@pytest.fixture
def actor(db):
    return UserFactory(email="auteur@cnaf.example", lab=True)


@pytest.fixture
def immediate_user(db):
    return UserFactory(
        email="immediat@example.org", citizen=True, email_frequency=EmailFrequency.IMMEDIATE
    )


@pytest.fixture
def daily_user(db):
    return UserFactory(
        email="quotidien@example.org", citizen=True, email_frequency=EmailFrequency.DAILY
    )


@pytest.fixture
def weekly_user(db):
    return UserFactory(
        email="hebdo@example.org", citizen=True, email_frequency=EmailFrequency.WEEKLY
    )


@pytest.fixture
def never_user(db):
    return UserFactory(
        email="jamais@example.org", citizen=True, email_frequency=EmailFrequency.NEVER
    )
