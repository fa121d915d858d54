"""No overbooking and one registration per person under a burst: threads registering at once,
each with its own database connection (PostgreSQL only: SQLite serialises writers)."""

from django.test import Client
from django.urls import reverse

from caflab.core.errors import AlreadyDone
from events.models import Registration
from events.services import registration_create
from tests.accounts.factories import UserFactory
from tests.concurrency import RACE, run_together
from tests.events.factories import EventFactory

pytestmark = RACE

THREADS = 12


def test_twelve_people_racing_for_three_seats_never_overbook():
    event = EventFactory(seats=3)
    people = iter([UserFactory(email=f"course{i}@caf38.example") for i in range(THREADS)])
    users = [next(people) for _ in range(THREADS)]
    queue = iter(users)

    def register():
        return registration_create(event=event, user=next(queue))

    outcomes = run_together(register, THREADS)
    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    assert Registration.objects.filter(event=event, status="waiting").count() == THREADS - 3


def test_one_person_registering_twelve_times_at_once_keeps_one_registration(agent_a):
    event = EventFactory(seats=3)

    def register():
        return registration_create(event=event, user=agent_a)

    outcomes = run_together(register, THREADS)
    assert Registration.objects.filter(event=event, user=agent_a).count() == 1
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == THREADS - 1


def test_parallel_posts_through_the_page_never_fail(agent_a):
    event = EventFactory(seats=3)
    url = reverse("events:register", kwargs={"pk": event.pk})

    def post():
        browser = Client()
        browser.force_login(agent_a)
        return browser.post(url).status_code

    statuses = run_together(post, THREADS)
    assert Registration.objects.filter(event=event).count() == 1
    assert set(statuses) == {302}, statuses
