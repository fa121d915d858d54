"""Registration rules: seats under a row lock, the waiting list, promotion of the first waiting
person (told by e-mail), the window, eligibility by role or Caf with a French reason, "already
registered" never a 500, the reminder the day before, cancellation and attendance."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.core.errors import AlreadyDone, InvalidState
from caflab.notifications.models import Notification
from events import services
from events.models import Event, EventStatusChange, Registration
from events.services import NotEligible, RegistrationClosed
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db
Status = Registration.Status


def _agents(n, caf_code="38"):
    from caflab.network.models import Caf

    caf = Caf.objects.get(code=caf_code)
    return [UserFactory(email=f"agent{i}.{caf_code}@caf.example", caf=caf) for i in range(n)]


def test_a_seat_is_confirmed_and_the_person_gets_a_confirmation_mail(
    training, agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(event=training, user=agent_a)
    assert registration.status == Status.CONFIRMED
    assert registration.caf_id == agent_a.caf_id
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [agent_a.email]
    assert "Inscription confirmée" in mailoutbox[0].subject
    assert Notification.objects.filter(recipient=agent_a, kind="events.confirmation").exists()


def test_a_full_event_puts_people_on_the_waiting_list(lab_staff):
    event = EventFactory(seats=2, organisers=[lab_staff])
    people = _agents(4)
    statuses = [services.registration_create(event=event, user=p).status for p in people]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING, Status.WAITING]


def test_a_cancellation_promotes_the_first_waiting_person_who_is_told_by_mail(
    lab_staff, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(seats=1, organisers=[lab_staff])
    first, second, third = _agents(3)
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.registration_create(event=event, user=first)
        services.registration_create(event=event, user=second)
        services.registration_create(event=event, user=third)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=taken, by=first)
    assert promoted.user == second
    assert promoted.status == Status.CONFIRMED
    assert promoted.promoted_at
    assert Registration.objects.get(user=third).status == Status.WAITING
    assert [m.to for m in mailoutbox] == [[second.email]]
    assert "Une place s’est libérée" in mailoutbox[0].subject


def test_cancelling_a_waiting_place_promotes_nobody(lab_staff):
    event = EventFactory(seats=1, organisers=[lab_staff])
    first, second = _agents(2)
    services.registration_create(event=event, user=first)
    waiting = services.registration_create(event=event, user=second)
    assert services.registration_cancel(registration=waiting, by=second) is None
    assert Registration.objects.get(user=first).status == Status.CONFIRMED


def test_cancelling_twice_is_already_done(training, agent_a):
    registration = services.registration_create(event=training, user=agent_a)
    services.registration_cancel(registration=registration, by=agent_a)
    with pytest.raises(AlreadyDone, match="déjà annulée"):
        services.registration_cancel(registration=registration, by=agent_a)


def test_registering_twice_is_already_registered_not_an_error(training, agent_a):
    services.registration_create(event=training, user=agent_a)
    with pytest.raises(AlreadyDone, match=r"déjà inscrit\(e\)"):
        services.registration_create(event=training, user=agent_a)
    assert Registration.objects.filter(event=training, user=agent_a).count() == 1


def test_one_may_register_again_after_cancelling(training, agent_a):
    registration = services.registration_create(event=training, user=agent_a)
    services.registration_cancel(registration=registration, by=agent_a)
    again = services.registration_create(event=training, user=agent_a)
    assert again.status == Status.CONFIRMED


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(2, 5, "Les inscriptions ouvriront le"), (-5, -1, "Les inscriptions sont closes")],
)
def test_registration_outside_the_window_is_refused_with_the_dates(agent_a, opens, closes, message):
    event = EventFactory(
        registration_opens_at=in_days(opens), registration_closes_at=in_days(closes)
    )
    with pytest.raises(RegistrationClosed, match=message):
        services.registration_create(event=event, user=agent_a)


def test_a_draft_or_cancelled_event_takes_no_registration(agent_a):
    draft = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(RegistrationClosed, match="pas ouvert aux inscriptions"):
        services.registration_create(event=draft, user=agent_a)
    cancelled = EventFactory(status=Event.Status.CANCELLED)
    with pytest.raises(RegistrationClosed, match="annulé"):
        services.registration_create(event=cancelled, user=agent_a)


def test_eligibility_by_role_is_explained(agent_a, correspondent_a):
    event = EventFactory(eligible_roles=[Role.CORRESPONDENT])
    with pytest.raises(NotEligible, match="réservé aux profils suivants\u00a0: Correspondant"):
        services.registration_create(event=event, user=agent_a)
    assert services.registration_create(event=event, user=correspondent_a)


def test_eligibility_by_caf_is_explained(caf_a, agent_a, agent_b):
    event = EventFactory(cafs=[caf_a])  # seen by the network, open to Caf A only
    with pytest.raises(NotEligible, match="agents des Caf concernées"):
        services.registration_create(event=event, user=agent_b)
    assert services.registration_create(event=event, user=agent_a)


def test_a_citizen_may_not_register_to_a_network_event(training, citizen):
    with pytest.raises(NotEligible, match="agents du réseau"):
        services.registration_create(event=training, user=citizen)


def test_more_seats_on_an_edited_event_promote_the_waiting_list(lab_staff):
    event = EventFactory(seats=1, organisers=[lab_staff])
    first, second = _agents(2)
    services.registration_create(event=event, user=first)
    services.registration_create(event=event, user=second)
    event.seats = 2
    services.event_save(event=event, by=lab_staff, organisers=[lab_staff])
    assert Registration.objects.get(user=second).status == Status.CONFIRMED


def test_a_new_event_is_a_draft_its_author_organises(lab_staff):
    event = Event(
        kind=Event.Kind.DEBATE,
        title="Débat : l'accueil de demain",
        description="Un débat ouvert.",
        online_url="https://visio.example/debat",
        starts_at=in_days(5),
        ends_at=in_days(5, 2),
        seats=50,
        registration_opens_at=in_days(0),
        registration_closes_at=in_days(4),
    )
    event = services.event_save(event=event, by=lab_staff)
    assert event.status == Event.Status.DRAFT
    assert list(event.organisers.all()) == [lab_staff]


def test_an_event_without_place_or_link_is_refused(lab_staff):
    event = Event(
        kind=Event.Kind.WORKSHOP,
        title="Atelier",
        description="…",
        starts_at=in_days(5),
        ends_at=in_days(5, 2),
        seats=5,
        registration_opens_at=in_days(0),
        registration_closes_at=in_days(4),
    )
    with pytest.raises(ValidationError) as error:
        services.event_save(event=event, by=lab_staff)
    assert "place" in error.value.message_dict


def test_publishing_twice_is_already_done_and_recorded_once(lab_staff):
    event = EventFactory(status=Event.Status.DRAFT, published_at=None)
    services.event_publish(event=event, by=lab_staff)
    with pytest.raises(AlreadyDone):
        services.event_publish(event=event, by=lab_staff)
    assert EventStatusChange.objects.filter(event=event, to_status="published").count() == 1


def test_cancelling_an_event_tells_everyone_registered(
    training, lab_staff, agent_a, mailoutbox, django_capture_on_commit_callbacks
):
    services.registration_create(event=training, user=agent_a)
    mailoutbox.clear()
    with pytest.raises(InvalidState):
        services.event_cancel(event=training, by=lab_staff, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=training, by=lab_staff, reason="Intervenant malade.")
    assert [m.to for m in mailoutbox] == [[agent_a.email]]
    assert "annulé" in mailoutbox[0].subject


def test_the_reminder_goes_once_to_confirmed_people_of_tomorrows_events(
    lab_staff, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    tomorrow = timezone.localtime(now).replace(hour=14, minute=0) + datetime.timedelta(days=1)
    event = EventFactory(
        seats=1,
        starts_at=tomorrow,
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now + datetime.timedelta(hours=1),
    )
    later = EventFactory()  # in ten days: no reminder
    confirmed, waiting = _agents(2)
    services.registration_create(event=event, user=confirmed)
    services.registration_create(event=event, user=waiting)
    services.registration_create(event=later, user=waiting)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registrations_remind(now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registrations_remind(now) == 0
    assert [m.to for m in mailoutbox] == [[confirmed.email]]
    assert "c’est demain" in mailoutbox[0].subject


def test_the_reminder_task_is_in_the_beat_schedule():
    from caflab.celery import app

    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    entry = app.conf.beat_schedule["events-send-reminders"]
    assert entry["task"] in app.tasks


def test_attendance_marks_present_and_absent_and_the_event_held(lab_staff):
    event = EventFactory(
        starts_at=in_days(-1),
        registration_opens_at=in_days(-10),
        registration_closes_at=in_days(-2),
    )
    came = RegistrationFactory(event=event)
    absent = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITING)
    assert (
        services.attendance_record(event=event, present_ids=[came.pk, waiting.pk], by=lab_staff)
        == 1
    )
    came.refresh_from_db(), absent.refresh_from_db(), waiting.refresh_from_db()
    assert (came.attended, absent.attended, waiting.attended) == (True, False, None)
    event.refresh_from_db()
    assert event.status == Event.Status.HELD


def test_attendance_before_the_event_is_refused(training, lab_staff):
    with pytest.raises(services.NotAllowedNow, match="une fois l’événement commencé"):
        services.attendance_record(event=training, present_ids=[], by=lab_staff)
