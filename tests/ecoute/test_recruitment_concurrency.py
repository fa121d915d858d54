"""Seats hold under a burst: 20 registrations at once for 5 seats leave exactly 5 confirmed and
15 waiting (the recruitment row is locked while a seat is handed out), and 20 parallel
registrations of one person leave one. PostgreSQL only, like test_concurrency.py."""

from ecoute.models import Registration
from ecoute.services.common import AlreadyDone
from ecoute.services.recruitment import registration_cancel, registration_create
from tests.concurrency import RACE, run_together
from tests.ecoute.factories import RecruitmentFactory

pytestmark = RACE

THREADS = 20

SEATS = 5


def test_twenty_parallel_registrations_never_overbook(consultation, lab_staff):
    recruitment = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=SEATS)
    counter = iter(range(THREADS))

    def register():
        n = next(counter)
        return registration_create(
            recruitment=recruitment, answers={}, name=f"P{n}", email=f"p{n}@example.org"
        )

    outcomes = run_together(register, THREADS)
    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == SEATS
    assert statuses.count(Registration.Status.WAITING) == THREADS - SEATS


def test_twenty_parallel_registrations_of_one_person_leave_one(consultation, lab_staff, citizen):
    recruitment = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=SEATS)

    def register():
        return registration_create(recruitment=recruitment, answers={}, user=citizen)

    outcomes = run_together(register, THREADS)
    assert Registration.objects.count() == 1
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == THREADS - 1


def test_parallel_cancellations_promote_exactly_as_many_as_seats_freed(consultation, lab_staff):
    recruitment = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=SEATS)
    registrations = [
        registration_create(
            recruitment=recruitment, answers={}, name=f"P{n}", email=f"p{n}@example.org"
        )
        for n in range(2 * SEATS)
    ]
    confirmed = iter(registrations[:SEATS])

    def cancel():
        return registration_cancel(registration=next(confirmed))

    run_together(cancel, n=SEATS)
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == SEATS
    assert statuses.count(Registration.Status.CANCELLED) == SEATS


def test_ten_parallel_publications_of_a_restitution_publish_it_once(consultation, lab_staff):
    from ecoute.services.restitution import restitution_publish, restitution_save

    restitution_save(consultation=consultation, by=lab_staff, synthesis="Merci !", decisions=[])

    def publish():
        return restitution_publish(consultation=consultation, by=lab_staff)

    outcomes = run_together(publish, n=10)
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == 9, outcomes
