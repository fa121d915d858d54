"""Recruiting participants: eligibility (answers checked, never kept), a seat while there is
one then the waiting list with its position, one live registration per person, cancelling
promotes the first waiting (e-mailed), the e-mails each sent once, the reminder the day before,
the managers' pages (list pinned in queries, formula-safe CSV) and the purge at retention."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.models import EligibilityQuestion, Recruitment, Registration
from ecoute.services.common import AlreadyDone
from ecoute.services.recruitment import (
    NotEligible,
    RegistrationClosed,
    registration_cancel,
    registration_create,
    registration_send_email,
    registrations_purge,
    registrations_remind,
    waiting_position,
)
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import (
    RecruitmentFactory,
    RegistrationFactory,
    eligibility_question,
)
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def recruitment(consultation, lab_staff):
    recruitment = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=2)
    eligibility_question(recruitment)
    return recruitment


def yes(recruitment) -> dict[int, str]:
    return {q.pk: "Oui" for q in recruitment.eligibility_questions.all()}


def visitor(recruitment, n: int, **kwargs):
    return registration_create(
        recruitment=recruitment,
        answers=yes(recruitment),
        name=f"Visiteur {n}",
        email=f"visiteur{n}@example.org",
        **kwargs,
    )


# --- registering ----------------------------------------------------------------------------


def test_eligible_people_get_the_seats_then_the_waiting_list_in_order(recruitment):
    first, second, third, fourth = (visitor(recruitment, n) for n in range(4))
    assert [r.status for r in (first, second)] == [Status.CONFIRMED, Status.CONFIRMED]
    assert [r.status for r in (third, fourth)] == [Status.WAITING, Status.WAITING]
    assert waiting_position(third) == 1
    assert waiting_position(fourth) == 2
    assert waiting_position(first) is None


def test_ineligible_people_are_told_and_nothing_is_stored(recruitment, citizen):
    with pytest.raises(NotEligible):
        registration_create(
            recruitment=recruitment,
            answers={q.pk: "Non" for q in recruitment.eligibility_questions.all()},
            user=citizen,
        )
    with pytest.raises(NotEligible):
        registration_create(recruitment=recruitment, answers={}, user=citizen)
    assert not Registration.objects.exists()


def test_one_live_registration_per_account_and_per_address(recruitment, citizen):
    registration_create(recruitment=recruitment, answers=yes(recruitment), user=citizen)
    with pytest.raises(AlreadyDone):
        registration_create(recruitment=recruitment, answers=yes(recruitment), user=citizen)
    visitor(recruitment, 1)
    with pytest.raises(AlreadyDone):
        registration_create(
            recruitment=recruitment,
            answers=yes(recruitment),
            name="X",
            email="VISITEUR1@example.org",
        )
    assert Registration.objects.count() == 2


def test_after_cancelling_one_may_register_again(recruitment, citizen):
    first = registration_create(recruitment=recruitment, answers=yes(recruitment), user=citizen)
    registration_cancel(registration=first)
    again = registration_create(recruitment=recruitment, answers=yes(recruitment), user=citizen)
    assert again.status == Status.CONFIRMED


def test_registering_outside_the_window_is_refused(recruitment):
    Recruitment.objects.filter(pk=recruitment.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(minutes=1),
        registration_opens_at=timezone.now() - datetime.timedelta(days=2),
    )
    recruitment.refresh_from_db()
    with pytest.raises(RegistrationClosed):
        visitor(recruitment, 1)


# --- cancelling -----------------------------------------------------------------------------


def test_cancelling_a_seat_promotes_the_first_waiting_who_is_emailed(
    recruitment, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirmed, _other, waiting_1, waiting_2 = (visitor(recruitment, n) for n in range(4))
    assert len(mailoutbox) == 4  # the four confirmations (two on the waiting list)
    assert "liste d’attente" in mailoutbox[2].subject
    assert "position 1" in mailoutbox[2].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = registration_cancel(registration=confirmed)
    assert promoted == waiting_1
    waiting_1.refresh_from_db()
    assert waiting_1.status == Status.CONFIRMED
    assert waiting_1.promoted_at is not None
    assert waiting_position(Registration.objects.get(pk=waiting_2.pk)) == 1
    assert [m.to for m in mailoutbox] == [[waiting_1.email]]
    assert "Une place s’est libérée" in mailoutbox[0].subject
    with pytest.raises(AlreadyDone):
        registration_cancel(registration=confirmed)


def test_cancelling_from_the_waiting_list_promotes_nobody(recruitment):
    _a, _b, waiting_1, waiting_2 = (visitor(recruitment, n) for n in range(4))
    assert registration_cancel(registration=waiting_1) is None
    assert Registration.objects.filter(status=Status.CONFIRMED).count() == 2
    assert waiting_position(Registration.objects.get(pk=waiting_2.pk)) == 1


# --- e-mails --------------------------------------------------------------------------------


def test_each_email_goes_out_once(recruitment, mailoutbox):
    registration = visitor(recruitment, 1)  # outside on_commit capture: nothing sent yet
    assert registration_send_email(registration_id=registration.pk, kind="confirmation")
    assert not registration_send_email(registration_id=registration.pk, kind="confirmation")
    assert len(mailoutbox) == 1
    assert "Votre inscription est confirmée" in mailoutbox[0].subject
    assert (
        reverse("ecoute:registration-cancel-link", kwargs={"token": registration.cancel_token})
        in mailoutbox[0].body
    )


def test_the_reminder_goes_the_day_before_once(recruitment, mailoutbox):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    Recruitment.objects.filter(pk=recruitment.pk).update(
        starts_at=tomorrow,
        ends_at=tomorrow + datetime.timedelta(hours=2),
        registration_closes_at=tomorrow - datetime.timedelta(hours=1),
    )
    recruitment.refresh_from_db()
    confirmed = visitor(recruitment, 1)
    visitor(recruitment, 2)
    waiting = visitor(recruitment, 3)
    registration_cancel(registration=waiting)
    later = RecruitmentFactory(consultation=recruitment.consultation)
    RegistrationFactory(recruitment=later)
    assert registrations_remind() == 2  # the two confirmed of tomorrow, not the others
    assert registrations_remind() == 0
    assert all("c’est demain" in m.subject for m in mailoutbox)
    confirmed.refresh_from_db()
    assert confirmed.reminder_sent_at is not None


def test_visitors_contact_details_are_purged_at_retention_time(recruitment, citizen):
    person = visitor(recruitment, 1)
    account = registration_create(recruitment=recruitment, answers=yes(recruitment), user=citizen)
    months = recruitment.consultation.privacy_retention_months
    assert registrations_purge() == 0
    much_later = recruitment.ends_at + datetime.timedelta(days=30 * months + 1)
    assert registrations_purge(now=much_later) == 2
    person.refresh_from_db()
    assert (person.name, person.email, person.phone) == ("", "", "")
    assert person.purged_at is not None
    account.refresh_from_db()
    assert account.user == citizen
    assert registrations_purge(now=much_later) == 0


# --- pages ----------------------------------------------------------------------------------


def test_a_visitor_registers_and_sees_the_waiting_position(client, recruitment):
    for n in range(2):
        visitor(recruitment, n)
    question = recruitment.eligibility_questions.get()
    url = recruitment.get_absolute_url()
    page = client.get(url)
    assert page.status_code == 200
    assert "Êtes-vous parent ?" in page.content.decode()
    data = {f"q{question.pk}": "Oui", "name": "Claire Martin", "email": "claire@example.org"}
    page = client.post(url, {**data, "email": "pas-une-adresse"})
    assert page.status_code == 200
    assert "Claire Martin" in page.content.decode()  # what was typed stays
    page = client.post(url, data)
    assert page.status_code == 200
    assert "en position 1" in page.content.decode()
    registration = Registration.objects.get(email="claire@example.org")
    assert registration.status == Status.WAITING


def test_an_ineligible_person_reads_a_clear_message(client, recruitment, citizen):
    question = recruitment.eligibility_questions.get()
    client.force_login(citizen)
    page = client.post(recruitment.get_absolute_url(), {f"q{question.pk}": "Non"})
    assert "ne correspond pas à votre situation" in page.content.decode()
    assert not Registration.objects.exists()


def test_a_person_with_an_account_registers_then_cancels_from_my_registrations(
    client, recruitment, agent_a
):
    question = recruitment.eligibility_questions.get()
    client.force_login(agent_a)
    assert (
        client.post(recruitment.get_absolute_url(), {f"q{question.pk}": "Oui"}).status_code == 302
    )
    registration = Registration.objects.get(user=agent_a)
    assert registration.status == Status.CONFIRMED
    assert (registration.name, registration.email) == ("", "")  # the account holds them
    page = client.get(reverse("ecoute:my-registrations"))
    assert recruitment.title in page.content.decode()
    cancel = reverse("ecoute:registration-cancel", kwargs={"pk": registration.pk})
    assert client.post(cancel).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_a_visitor_cancels_with_the_emailed_link(client, recruitment):
    registration = visitor(recruitment, 1)
    url = reverse("ecoute:registration-cancel-link", kwargs={"token": registration.cancel_token})
    assert client.get(url).status_code == 200
    assert "Votre inscription est annulée" in client.post(url).content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_managers_create_a_recruitment_with_eligibility_questions(client, consultation, lab_staff):
    client.force_login(lab_staff)
    url = reverse("ecoute:recruitment-create", kwargs={"pk": consultation.pk})
    assert client.get(url).status_code == 200
    start = timezone.localtime() + datetime.timedelta(days=7)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "Atelier Lab Parentalité",
        "description": "Tester le nouveau simulateur.",
        "kind": "workshop",
        "starts_at": start.strftime(fmt),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime(fmt),
        "place": "",
        "video_link": "",
        "seats": "8",
        "registration_opens_at": timezone.localtime().strftime(fmt),
        "registration_closes_at": (start - datetime.timedelta(days=1)).strftime(fmt),
        "eligibility-TOTAL_FORMS": "2",
        "eligibility-INITIAL_FORMS": "0",
        "eligibility-0-label": "Avez-vous un enfant de moins de 3 ans ?",
        "eligibility-0-choices": "Oui\nNon",
        "eligibility-0-accepted": "Peut-être",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Indiquez un lieu ou un lien de visioconférence." in content
    assert "Les réponses acceptées doivent figurer parmi les réponses possibles." in content
    assert "Atelier Lab Parentalité" in content
    data.update({"place": "Caf de l'Isère, Grenoble", "eligibility-0-accepted": "Oui"})
    assert client.post(url, data).status_code == 302
    recruitment = Recruitment.objects.get()
    assert recruitment.created_by == lab_staff
    question = EligibilityQuestion.objects.get()
    assert (question.choices, question.accepted) == (["Oui", "Non"], ["Oui"])
    edit = client.get(reverse("ecoute:recruitment-update", kwargs={"pk": recruitment.pk}))
    assert "Avez-vous un enfant de moins de 3 ans ?" in edit.content.decode()


def test_the_managers_list_costs_a_fixed_number_of_queries(client, recruitment, lab_staff):
    client.force_login(lab_staff)

    def add(n):
        for i in range(n):
            RegistrationFactory(recruitment=recruitment, status=Status.WAITING)
            RegistrationFactory(
                recruitment=recruitment,
                user=UserFactory(),
                name="",
                email="",
                status=Status.CANCELLED if i % 2 else Status.CONFIRMED,
            )

    # session, user, recruitment, consultation (visible + managed), the registrations
    assert_flat_query_count(client, recruitment.get_manage_url(), add, expected=6)


def test_the_csv_export_is_formula_safe(client, recruitment, lab_staff):
    registration_create(
        recruitment=recruitment,
        answers=yes(recruitment),
        name='=HYPERLINK("http://evil.example")',
        email="evil@example.org",
    )
    client.force_login(lab_staff)
    response = client.get(reverse("ecoute:recruitment-export", kwargs={"pk": recruitment.pk}))
    content = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    assert "evil@example.org" in content


def test_other_people_cannot_manage_it(client, recruitment, agent_b, citizen):
    for user in (agent_b, citizen):
        client.force_login(user)
        assert client.get(recruitment.get_manage_url()).status_code == 403


def test_a_recruitment_of_a_draft_consultation_is_hidden(client, draft_a, correspondent_a):
    hidden = RecruitmentFactory(consultation=draft_a, created_by=correspondent_a)
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_added_seats_go_to_the_waiting_list_in_order(recruitment, lab_staff):
    from ecoute.services.recruitment import EligibilitySpec, recruitment_save

    _a, _b, waiting_1, waiting_2, waiting_3 = (visitor(recruitment, n) for n in range(5))
    recruitment.seats = 4
    recruitment_save(
        recruitment=recruitment,
        questions=[
            EligibilitySpec(label="Êtes-vous parent ?", choices=["Oui", "Non"], accepted=["Oui"])
        ],
        by=lab_staff,
    )
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses[waiting_1.pk] == statuses[waiting_2.pk] == Status.CONFIRMED
    assert statuses[waiting_3.pk] == Status.WAITING


def test_my_registrations_cost_a_fixed_number_of_queries(client, consultation, lab_staff, citizen):
    client.force_login(citizen)

    def add(n):
        for _ in range(n):
            full = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=1)
            RegistrationFactory(recruitment=full)
            RegistrationFactory(recruitment=full)
            RegistrationFactory(
                recruitment=full, user=citizen, name="", email="", status=Status.WAITING
            )

    assert_flat_query_count(
        client, reverse("ecoute:my-registrations"), add, sizes=(2, 8), expected=5
    )
    page = client.get(reverse("ecoute:my-registrations"))
    assert "position 1" in page.content.decode()
