"""The satisfaction questionnaire of an event, built with écoute's engine: copied from the lab's
template, reserved to the people who came, answered once each through écoute's pages, read on
the event's page and in the yearly figures (a group below écoute's minimum size masked)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caflab.core.errors import AlreadyDone, InvalidState, NotAllowedNow
from caflab.notifications.models import Notification
from ecoute.conditions import AnswerValue
from ecoute.models import Consultation, Question, Response
from ecoute.services import AlreadyAnswered, consultation_answer
from events import satisfaction as service
from events import tasks
from events.models import Event, Satisfaction, SatisfactionTemplate
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

FIGURES = reverse("events:figures")


def held_event(**fields) -> Event:
    """A training held this year (two hours ago at most: figures of the current year)."""
    start = timezone.now() - datetime.timedelta(hours=3)
    fields.setdefault("kind", Event.Kind.TRAINING)
    return EventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        registration_opens_at=start - datetime.timedelta(days=5),
        registration_closes_at=start - datetime.timedelta(days=1),
        status=Event.Status.HELD,
        **fields,
    )


def came(event: Event, *people) -> None:
    for person in people:
        RegistrationFactory(event=event, user=person, attended=True)


def answer(satisfaction: Satisfaction, person, score: int, text: str = "") -> Response | None:
    questions = {q.kind: q for q in satisfaction.consultation.questionnaire.questions.all()}
    answers = {questions[Question.Kind.SCALE].pk: AnswerValue(number=Decimal(score))}
    if text:
        answers[questions[Question.Kind.LONG_TEXT].pk] = AnswerValue(text=text)
    consultation = Consultation.objects.select_related("questionnaire").get(
        pk=satisfaction.consultation_id
    )
    return consultation_answer(consultation=consultation, answers=answers, user=person)


@pytest.fixture
def event(lab_staff, agent_a):
    event = held_event(organisers=[lab_staff], title="Initiation au design de service")
    came(event, agent_a)
    return event


@pytest.fixture
def sent(event, lab_staff):
    return service.satisfaction_send(event=event, by=lab_staff)


# --- the template and the copy -------------------------------------------------------------


def test_sending_copies_the_default_template_into_an_open_reserved_consultation(sent):
    template = SatisfactionTemplate.objects.get()
    source = [
        (q.kind, q.label, q.scale_min, q.scale_max)
        for q in template.questionnaire.questions.order_by("position")
    ]
    copy = [
        (q.kind, q.label, q.scale_min, q.scale_max)
        for q in sent.consultation.questionnaire.questions.order_by("position")
    ]
    assert copy == source
    assert [kind for kind, *_rest in copy] == ["scale", "single_choice", "long_text"]
    assert sent.rating_question.kind == Question.Kind.SCALE
    assert sent.rating_question.questionnaire_id == sent.consultation.questionnaire.pk
    assert sent.consultation.status == Consultation.Status.OPEN
    assert sent.consultation.access == Consultation.Access.COMMUNITY
    assert not sent.consultation.allow_anonymous
    options = sent.consultation.questionnaire.questions.get(kind="single_choice").options
    assert options.count() == 4


def test_the_lab_edits_its_template_and_the_next_events_copy_follows(sent, lab_staff, agent_a):
    template = SatisfactionTemplate.objects.get()
    template.questionnaire.questions.filter(kind="long_text").update(label="Un conseil ?")
    other = held_event(organisers=[lab_staff])
    came(other, agent_a)
    second = service.satisfaction_send(event=other, by=lab_staff)
    assert second.consultation.questionnaire.questions.filter(label="Un conseil ?").exists()
    assert not sent.consultation.questionnaire.questions.filter(label="Un conseil ?").exists()
    assert SatisfactionTemplate.objects.count() == 1


def test_it_is_sent_once_only_after_the_event_is_held_and_attendance_taken(lab_staff, agent_a):
    upcoming = EventFactory(organisers=[lab_staff])
    with pytest.raises(InvalidState):
        service.satisfaction_send(event=upcoming, by=lab_staff)
    nobody_came = held_event(organisers=[lab_staff])
    RegistrationFactory(event=nobody_came, user=agent_a, attended=False)
    with pytest.raises(NotAllowedNow):
        service.satisfaction_send(event=nobody_came, by=lab_staff)
    came(nobody_came, UserFactory())
    service.satisfaction_send(event=nobody_came, by=lab_staff)
    with pytest.raises(AlreadyDone):
        service.satisfaction_send(event=nobody_came, by=lab_staff)
    assert Satisfaction.objects.count() == 1


def test_the_invitation_task_is_queued_after_the_commit_with_the_id_only(
    event, lab_staff, published_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = service.satisfaction_send(event=event, by=lab_staff)
        assert published_tasks.of(tasks.invite_to_satisfaction) == []  # after the commit
    assert published_tasks.of(tasks.invite_to_satisfaction) == [(sent.pk,)]


def test_the_people_who_came_are_told_once_and_the_absent_never(event, sent, agent_a, agent_b):
    RegistrationFactory(event=event, user=agent_b, attended=False)
    assert service.satisfaction_invite(satisfaction_id=sent.pk) == 1
    assert service.satisfaction_invite(satisfaction_id=sent.pk) == 0
    told = Notification.objects.filter(kind="events.satisfaction")
    assert list(told.values_list("recipient", flat=True)) == [agent_a.pk]
    assert told.get().url == reverse("ecoute:answer", kwargs={"slug": sent.consultation.slug})
    sent.refresh_from_db()
    assert sent.n_invited == 1


def test_the_daily_safety_net_sends_what_a_broker_outage_left(event, sent):
    assert service.satisfactions_invite_pending(now=timezone.now()) == 0  # not an hour yet
    later = timezone.now() + datetime.timedelta(hours=2)
    assert service.satisfactions_invite_pending(now=later) == 1
    assert service.satisfactions_invite_pending(now=later) == 0


# --- who answers -----------------------------------------------------------------------------


def test_a_person_who_came_answers_once(sent, agent_a):
    assert answer(sent, agent_a, 4) is not None
    with pytest.raises(AlreadyAnswered):
        answer(sent, agent_a, 5)
    assert Response.objects.filter(questionnaire=sent.consultation.questionnaire).count() == 1


def test_only_the_people_who_came_see_and_answer_it_through_ecoute(
    client, event, sent, agent_a, agent_b, correspondent_a, citizen
):
    absent = UserFactory(caf=agent_a.caf)
    RegistrationFactory(event=event, user=absent, attended=False)
    url = reverse("ecoute:answer", kwargs={"slug": sent.consultation.slug})
    for person in (absent, agent_b, correspondent_a, citizen):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
        assert not person.has_perm("ecoute.answer_consultation", sent.consultation)
    client.force_login(agent_a)
    page = client.get(url)
    assert page.status_code == 200
    assert "Dans l’ensemble, quelle note donnez-vous" in page.content.decode()
    assert agent_a.has_perm("ecoute.answer_consultation", sent.consultation)


def test_the_answer_is_sent_through_ecoutes_pages_and_counted(client, sent, agent_a):
    client.force_login(agent_a)
    url = reverse("ecoute:answer", kwargs={"slug": sent.consultation.slug})
    questions = {q.kind: q for q in sent.consultation.questionnaire.questions.all()}
    option = questions["single_choice"].options.order_by("position").first()
    response = client.post(
        url,
        {
            questions["scale"].html_name: "5",
            questions["single_choice"].html_name: str(option.pk),
            questions["long_text"].html_name: "Plus d’exercices.",
            "etape": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("ecoute:thanks", kwargs={"slug": sent.consultation.slug})
    assert service.ratings_of([sent.event])[sent.event_id].answers == 1
    assert client.get(url).status_code == 200  # "already answered", never a second form
    assert "déjà répondu" in client.get(url).content.decode()


def test_it_is_never_listed_on_ecoutes_index_even_for_those_who_came(client, sent, agent_a):
    client.force_login(agent_a)
    assert sent.consultation.title not in client.get(reverse("ecoute:index")).content.decode()
    assert Consultation.objects.visible_to(agent_a).filter(pk=sent.consultation_id).exists()


# --- what the organisers and the lab read ---------------------------------------------------


def test_the_event_page_shows_the_summary_from_five_answers_to_its_organisers(
    client, event, sent, lab_staff, agent_a
):
    client.force_login(lab_staff)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "réponses reçues" in page
    assert "Les résultats s’affichent à partir de 5 réponses" in page
    answer(sent, agent_a, 4, "Plus d’exercices.")
    for score in (5, 3, 4, 4):
        person = UserFactory()
        came(event, person)
        answer(sent, person, score)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "moyenne 4,0 sur 5" in page
    assert "1 réponse écrite" in page
    client.force_login(agent_a)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Satisfaction des personnes venues" not in page
    assert "Donner mon avis sur l’événement" in page


def test_the_figures_show_mean_rating_and_answers_per_event_and_per_kind(
    client, event, sent, lab_staff, agent_a
):
    people = [agent_a] + [UserFactory() for _ in range(4)]
    came(event, *people[1:])
    for person, score in zip(people, (5, 4, 4, 3, 5), strict=True):
        answer(sent, person, score)
    few = held_event(kind=Event.Kind.WEBINAR, organisers=[lab_staff])
    came(few, agent_a)
    answer(service.satisfaction_send(event=few, by=lab_staff), agent_a, 1)
    client.force_login(lab_staff)
    response = client.get(FIGURES)
    rows = {row.pk: row.rating for row in response.context["events"]}
    assert (rows[event.pk].answers, rows[event.pk].mean) == (5, 4.2)
    assert (rows[few.pk].answers, rows[few.pk].mean) == (1, None)  # masked below five
    by_kind = {row["kind"]: row for row in response.context["ratings_by_kind"]}
    assert by_kind["training"]["rating"].mean == 4.2
    assert by_kind["training"]["events"] == 1
    assert by_kind["webinar"]["rating"].is_masked
    page = response.content.decode()
    assert "4,2" in page
    assert "masquée" in page


def test_the_organiser_sends_it_from_the_after_event_page(client, event, lab_staff, agent_a):
    client.force_login(lab_staff)
    attendance = reverse("events:attendance", kwargs={"pk": event.pk})
    assert "Envoyer le questionnaire de satisfaction" in client.get(attendance).content.decode()
    send = reverse("events:satisfaction-send", kwargs={"pk": event.pk})
    response = client.post(send, follow=True)
    assert "Le questionnaire de satisfaction est ouvert" in response.content.decode()
    assert Satisfaction.objects.filter(event=event).exists()
    again = client.post(send, follow=True)
    assert "C’est déjà fait" in again.content.decode()
    assert Satisfaction.objects.count() == 1


def test_a_participant_may_not_send_it(client, event, agent_a):
    client.force_login(agent_a)
    send = reverse("events:satisfaction-send", kwargs={"pk": event.pk})
    assert client.post(send).status_code == 403
    assert not Satisfaction.objects.exists()


# Session and user (2), the event with its counts and its questionnaire (1), its organisers,
# Caf list, materials, proposals and themes (5), the person's registration (1), the shell (1);
# for the organiser, the response count (1) and écoute's results (questions, options, three
# aggregates: 5) once five answered.
def test_the_event_page_with_its_summary_costs_a_fixed_number_of_queries(
    client, event, sent, lab_staff
):
    client.force_login(lab_staff)

    def add(n):
        for _ in range(n):
            person = UserFactory()
            came(event, person)
            answer(sent, person, 4, "Bien.")

    assert_flat_query_count(client, event.get_absolute_url(), add, sizes=(5, 15), expected=16)


def test_the_figures_with_satisfaction_cost_a_fixed_number_of_queries(client, lab_staff):
    client.force_login(lab_staff)

    def add(n):
        for _ in range(n):
            held = held_event(organisers=[lab_staff])
            person = UserFactory()
            came(held, person)
            answer(service.satisfaction_send(event=held, by=lab_staff), person, 3)

    # Session and user (2), by kind, by Caf, by directorate, totals, the events, their ratings
    # (6), the shell (1).
    assert_flat_query_count(client, FIGURES, add, expected=9)
