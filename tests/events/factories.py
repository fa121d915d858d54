import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import Event, Registration
from tests.accounts.factories import UserFactory


def in_days(days: float, hours: float = 0) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days, hours=hours)


class EventFactory(DjangoModelFactory):
    """A published training for the whole network, in ten days, registrations open."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    kind = Event.Kind.TRAINING
    title = factory.Sequence(lambda n: f"Formation au design de service n°{n + 1}")
    description = "Deux heures pour découvrir le design de service avec le CafLab."
    place = "Cnaf, 32 avenue de la Sibelle, Paris"
    online_url = ""
    starts_at = factory.LazyFunction(lambda: in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    seats = 10
    registration_opens_at = factory.LazyFunction(lambda: in_days(-1))
    registration_closes_at = factory.LazyAttribute(
        lambda o: o.starts_at - datetime.timedelta(hours=1)
    )
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    audience = Event.Audience.NETWORK

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)

    @factory.post_generation
    def cafs(self, create, extracted, **kwargs):
        if create and extracted:
            self.cafs.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    caf = factory.LazyAttribute(lambda o: o.user.caf)
    directorate = factory.LazyAttribute(lambda o: o.user.directorate)
    status = Registration.Status.CONFIRMED
