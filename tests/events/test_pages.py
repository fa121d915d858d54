"""The events' pages: who sees which event (its audience; another Caf's restricted event is
404), the catalogue and its filters, the organiser's forms and actions, registering through the
page, "my registrations", attendance, materials and the figures. Query counts are pinned at two
sizes for the catalogue, an event's page, "my registrations" and the figures."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.network.models import Caf, Directorate, Theme
from events.models import DebateProposal, Event, Material, Registration
from events.services import registration_create
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory, in_days
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("events:index")
MINE = reverse("events:mine")
FIGURES = reverse("events:figures")


def detail(event):
    return reverse("events:detail", kwargs={"pk": event.pk})


# --- visibility ----------------------------------------------------------------------------


def test_another_cafs_restricted_event_is_404(client, caf_a, agent_a, agent_b):
    event = EventFactory(audience=Event.Audience.CAFS, cafs=[caf_a])
    client.force_login(agent_b)
    assert client.get(detail(event)).status_code == 404
    assert client.post(reverse("events:register", kwargs={"pk": event.pk})).status_code == 404
    assert client.get(reverse("events:ical", kwargs={"pk": event.pk})).status_code == 404
    client.force_login(agent_a)
    assert client.get(detail(event)).status_code == 200


def test_a_draft_is_seen_only_by_its_organisers_the_lab_and_its_cafs_correspondent(
    client, caf_a, agent_a, correspondent_a, lab_staff
):
    organiser = UserFactory(email="organisatrice@caf38.example")
    draft = EventFactory(status=Event.Status.DRAFT, caf=caf_a, organisers=[organiser])
    for user, status in [
        (agent_a, 404),
        (organiser, 200),
        (correspondent_a, 200),
        (lab_staff, 200),
    ]:
        client.force_login(user)
        assert client.get(detail(draft)).status_code == status, user


def test_each_audience_sees_its_events(client, agent_a, citizen, partner, directorate_member):
    directorate = directorate_member.directorate
    other = Directorate.objects.exclude(pk=directorate.pk).first()
    events = {
        "network": EventFactory(audience=Event.Audience.NETWORK),
        "directorate": EventFactory(audience=Event.Audience.DIRECTORATE, directorate=directorate),
        "other_directorate": EventFactory(audience=Event.Audience.DIRECTORATE, directorate=other),
        "partners": EventFactory(audience=Event.Audience.PARTNERS),
        "citizens": EventFactory(audience=Event.Audience.CITIZENS),
    }
    seen = {
        user: set(Event.objects.visible_to(user).values_list("pk", flat=True))
        for user in (agent_a, citizen, partner, directorate_member)
    }
    ids = {name: event.pk for name, event in events.items()}
    assert seen[agent_a] == {ids["network"], ids["partners"], ids["citizens"]}
    assert seen[citizen] == {ids["citizens"]}
    assert seen[partner] == {ids["partners"], ids["citizens"]}
    assert seen[directorate_member] == {
        ids["network"],
        ids["directorate"],
        ids["partners"],
        ids["citizens"],
    }


def test_anonymous_visitors_go_to_the_login_page(client, training):
    response = client.get(detail(training))
    assert response.status_code == 302
    assert "connexion" in response["Location"]


# --- the catalogue -------------------------------------------------------------------------


def test_the_catalogue_filters_by_kind_theme_caf_format_and_date(client, agent_a, caf_a):
    theme = Theme.objects.first()
    training = EventFactory(title="Formation A", themes=[theme], caf=caf_a)
    webinar = EventFactory(
        title="Webinaire B", kind=Event.Kind.WEBINAR, place="", online_url="https://v.example/b"
    )
    later = EventFactory(title="Débat C", kind=Event.Kind.DEBATE, starts_at=in_days(60))
    past = EventFactory(
        title="Atelier passé",
        kind=Event.Kind.WORKSHOP,
        starts_at=in_days(-30),
        registration_opens_at=in_days(-40),
        registration_closes_at=in_days(-31),
        status=Event.Status.HELD,
    )
    EventFactory(title="Brouillon", status=Event.Status.DRAFT)
    client.force_login(agent_a)

    def titles(**params):
        response = client.get(CATALOGUE, params)
        assert response.status_code == 200
        return {e.title for e in response.context["events"]}

    assert titles() == {training.title, webinar.title, later.title}
    assert titles(type="webinar") == {webinar.title}
    assert titles(theme=theme.slug) == {training.title}
    assert titles(caf="38") == {training.title}
    assert titles(format="en-ligne") == {webinar.title}
    assert titles(format="sur-place") == {training.title, later.title}
    assert titles(au=(timezone.localdate() + datetime.timedelta(days=30)).isoformat()) == {
        training.title,
        webinar.title,
    }
    assert titles(quand="passes") == {past.title}


def test_a_bad_filter_value_is_explained_not_a_500(client, agent_a):
    client.force_login(agent_a)
    response = client.get(CATALOGUE, {"type": "inconnu", "du": "pas une date"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def _add_events(caf):
    themes = list(Theme.objects.all()[:2])

    def add(n):
        for i in range(n):
            event = EventFactory(caf=caf if i % 2 else None, themes=themes)
            RegistrationFactory(event=event)

    return add


# Session and user (2), the choice lists of the theme and Caf filters (2), the count and the
# page's ids (2), the page's rows and their themes (2), the shell: unread notifications (1), and
# the user's (empty) permissions when the sub-navigation asks about the figures (1).
def test_the_catalogue_costs_a_fixed_number_of_queries(client, agent_b, caf_a):
    client.force_login(agent_b)
    assert_flat_query_count(client, CATALOGUE, _add_events(caf_a), sizes=(3, 25), expected=10)


# --- one event -----------------------------------------------------------------------------


def test_the_page_explains_why_one_may_not_register(client, citizen):
    event = EventFactory(audience=Event.Audience.CITIZENS, eligible_roles=[Role.AGENT])
    client.force_login(citizen)
    page = client.get(detail(event)).content.decode()
    assert "réservé aux profils suivants\u00a0: Agent de Caf" in page
    assert "M’inscrire" not in page


def test_registering_through_the_page_then_again_says_already_registered(client, training, agent_a):
    client.force_login(agent_a)
    url = reverse("events:register", kwargs={"pk": training.pk})
    first = client.post(url, follow=True)
    assert "Vous êtes inscrit(e)" in first.content.decode()
    second = client.post(url, HTTP_REFERER=detail(training), follow=True)
    assert second.status_code == 200
    assert "déjà inscrit(e)" in second.content.decode()
    assert Registration.objects.filter(event=training, user=agent_a).count() == 1


def test_a_full_event_registers_on_the_waiting_list_and_cancelling_promotes(
    client, agent_a, agent_b
):
    event = EventFactory(seats=1)
    registration_create(event=event, user=agent_b)
    client.force_login(agent_a)
    page = client.get(detail(event)).content.decode()
    assert "M’inscrire sur la liste d’attente" in page
    response = client.post(reverse("events:register", kwargs={"pk": event.pk}), follow=True)
    assert "vous êtes sur la liste d’attente" in response.content.decode()
    client.force_login(agent_b)
    client.post(reverse("events:unregister", kwargs={"pk": event.pk}))
    assert Registration.objects.get(event=event, user=agent_a).status == "confirmed"


def _add_to_detail(event):
    def add(n):
        for _ in range(n):
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, status=Registration.Status.WAITING)
            event.themes.add(*Theme.objects.all()[:1])
            Material.objects.create(
                event=event,
                file="events/x.pdf",
                name="x.pdf",
                content_type="application/pdf",
                size=3,
            )
            DebateProposal.objects.create(
                event=event, text=f"Proposition {event.proposals.count()}"
            )

    return add


# Session and user (2), the event with its counts (1), its organisers, Caf list, materials,
# proposals and themes (5), the person's registration (1), the shell (1).
def test_an_events_page_costs_a_fixed_number_of_queries(client, agent_a, training):
    client.force_login(agent_a)
    registration_create(event=training, user=agent_a)
    assert_flat_query_count(client, detail(training), _add_to_detail(training), expected=10)


# --- my registrations ----------------------------------------------------------------------


def test_my_registrations_lists_upcoming_waiting_and_past(client, agent_a, agent_b):
    upcoming = EventFactory(title="À venir")
    full = EventFactory(title="Complet", seats=1)
    registration_create(event=full, user=agent_b)
    past = EventFactory(
        title="Passé",
        starts_at=in_days(-5),
        registration_opens_at=in_days(-10),
        registration_closes_at=in_days(-6),
    )
    registration_create(event=upcoming, user=agent_a)
    registration_create(event=full, user=agent_a)
    RegistrationFactory(event=past, user=agent_a, attended=True)
    cancelled = EventFactory(title="Annulé", status=Event.Status.CANCELLED, cancel_reason="Grève.")
    RegistrationFactory(event=cancelled, user=agent_a)
    client.force_login(agent_a)
    page = client.get(MINE).content.decode()
    assert "Événement annulé</strong>\u00a0: Grève." in page
    assert "À venir" in page
    assert "Complet" in page
    assert "Liste d’attente, position 1" in page
    assert "Présent(e)" in page


# Session and user (2), registrations with their events (1), waiting positions (1), organised
# (1), the calendar link's version (1), the shell (1) and permissions (2).
def test_my_registrations_cost_a_fixed_number_of_queries(client, agent_a):
    client.force_login(agent_a)

    def add(n):
        for _ in range(n):
            registration_create(event=EventFactory(), user=agent_a)
            registration_create(
                event=EventFactory(seats=1, organisers=[agent_a]), user=UserFactory()
            )
            registration_create(event=EventFactory(seats=1), user=UserFactory())

    def add_waiting(n):
        add(n)
        for event in Event.objects.filter(seats=1).exclude(registrations__user=agent_a):
            registration_create(event=event, user=agent_a)

    assert_flat_query_count(client, MINE, add_waiting, expected=9)


# --- the organiser -------------------------------------------------------------------------


def _form(**overrides):
    start = timezone.localtime() + datetime.timedelta(days=20)
    data = {
        "kind": "training",
        "title": "Former au design de service",
        "description": "Une journée pour apprendre.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Caf de l'Isère, Grenoble",
        "online_url": "",
        "audience": "network",
        "seats": "12",
        "registration_opens_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (start - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "organiser_emails": "",
    }
    data.update(overrides)
    return data


def test_a_correspondent_creates_his_cafs_event_then_publishes_it(client, correspondent_a):
    client.force_login(correspondent_a)
    response = client.post(reverse("events:create"), _form())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(event)
    assert event.caf == correspondent_a.caf
    assert event.status == Event.Status.DRAFT
    assert list(event.organisers.all()) == [correspondent_a]
    client.post(reverse("events:publish", kwargs={"pk": event.pk}))
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_an_agent_may_not_create_nor_edit_an_event(client, agent_a, training):
    client.force_login(agent_a)
    assert client.get(reverse("events:create")).status_code == 403
    assert client.get(reverse("events:update", kwargs={"pk": training.pk})).status_code == 403
    assert client.post(reverse("events:publish", kwargs={"pk": training.pk})).status_code == 403


def test_a_correspondent_may_not_edit_another_cafs_event(client, correspondent_a, caf_b):
    event = EventFactory(caf=caf_b)
    client.force_login(correspondent_a)
    assert client.get(reverse("events:update", kwargs={"pk": event.pk})).status_code == 403


def test_bad_input_keeps_what_was_typed_with_a_french_error(client, lab_staff):
    client.force_login(lab_staff)
    data = _form(place="", online_url="", title="Mon titre tapé", organiser_emails="inconnu@x.fr")
    response = client.post(reverse("events:create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mon titre tapé" in page
    assert "Aucun agent du réseau inscrit sur CafLab avec cette adresse\u00a0: inconnu@x.fr" in page
    data["organiser_emails"] = ""
    page = client.post(reverse("events:create"), data).content.decode()
    assert "Indiquez un lieu ou un lien de connexion." in page
    assert not Event.objects.exists()


def test_cancelling_an_event_needs_a_reason(client, lab_staff, training):
    client.force_login(lab_staff)
    url = reverse("events:cancel", kwargs={"pk": training.pk})
    client.post(url, {"reason": ""})
    training.refresh_from_db()
    assert training.status == Event.Status.PUBLISHED
    client.post(url, {"reason": "Report au printemps."})
    training.refresh_from_db()
    assert training.status == Event.Status.CANCELLED


# --- after the event -----------------------------------------------------------------------


@pytest.fixture
def held(lab_staff):
    return EventFactory(
        starts_at=in_days(-1),
        registration_opens_at=in_days(-10),
        registration_closes_at=in_days(-2),
        organisers=[lab_staff],
    )


def test_the_organiser_takes_attendance_with_checkboxes(client, lab_staff, held):
    came, absent = RegistrationFactory(event=held), RegistrationFactory(event=held)
    client.force_login(lab_staff)
    url = reverse("events:attendance", kwargs={"pk": held.pk})
    page = client.get(url).content.decode()
    assert f'id="present-{came.pk}"' in page
    client.post(url, {"present": [str(came.pk)]})
    came.refresh_from_db(), absent.refresh_from_db()
    assert came.attended is True
    assert absent.attended is False


def test_a_participant_may_not_take_attendance(client, agent_a, held):
    client.force_login(agent_a)
    assert client.get(reverse("events:attendance", kwargs={"pk": held.pk})).status_code == 403


def test_materials_are_checked_stored_privately_and_served_to_the_audience(
    client, lab_staff, agent_a, agent_b, caf_a, settings
):
    event = EventFactory(organisers=[lab_staff], audience=Event.Audience.CAFS, cafs=[caf_a])
    client.force_login(lab_staff)
    url = reverse("events:material-add", kwargs={"pk": event.pk})
    fake = SimpleUploadedFile("diapos.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(url, {"file": fake, "description": "Diapos"})
    assert refused.status_code == 200
    assert "ne correspond pas à son extension" in refused.content.decode()
    good = SimpleUploadedFile("diapos.pdf", b"%PDF-1.4 diapos", content_type="application/pdf")
    client.post(url, {"file": good, "description": "Diapos"})
    material = Material.objects.get()
    assert material.file.path.startswith(settings.PRIVATE_MEDIA_ROOT)
    download = reverse("events:material", kwargs={"pk": material.pk})
    client.force_login(agent_a)
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    client.force_login(agent_b)
    assert client.get(download).status_code == 404


# --- figures -------------------------------------------------------------------------------


def test_the_figures_count_events_held_and_people_present_per_caf_and_directorate(
    client, lab_staff, directorate_member
):
    year = timezone.localdate().year
    start = timezone.make_aware(datetime.datetime(year, 1, 15, 10))
    if start > timezone.now():
        start = timezone.now() - datetime.timedelta(hours=3)
    event = EventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        registration_opens_at=start - datetime.timedelta(days=5),
        registration_closes_at=start - datetime.timedelta(days=1),
        status=Event.Status.HELD,
    )
    caf = Caf.objects.get(code="974")
    for i in range(3):
        RegistrationFactory(
            event=event, user=UserFactory(email=f"r{i}@caf974.example", caf=caf), attended=i < 2
        )
    RegistrationFactory(event=event, user=directorate_member, attended=True)
    client.force_login(lab_staff)
    response = client.get(FIGURES, {"annee": year})
    caf_chart = response.context["caf_chart"]
    assert [(r.label, r.value) for r in caf_chart.rows] == [(f"974 – {caf.name}", 2)]
    directorate_rows = response.context["directorate_chart"].rows
    assert [r.value for r in directorate_rows] == [1]
    assert response.context["n_held"] == 1
    assert response.context["totals"] == {"attendances": 3, "people": 3}
    assert "(données du graphique)" in response.content.decode()


def test_the_figures_are_the_labs_and_the_directorates(client, agent_a, correspondent_a):
    for user in (agent_a, correspondent_a):
        client.force_login(user)
        assert client.get(FIGURES).status_code == 403


def test_the_figures_cost_a_fixed_number_of_queries(client, lab_staff):
    client.force_login(lab_staff)
    cafs = list(Caf.objects.order_by("position")[:5])

    def add(n):
        for i in range(n):
            event = EventFactory(
                starts_at=in_days(-2),
                registration_opens_at=in_days(-10),
                registration_closes_at=in_days(-3),
                status=Event.Status.HELD,
            )
            RegistrationFactory(
                event=event,
                user=UserFactory(caf=cafs[i % len(cafs)]),
                attended=True,
            )

    # Session and user (2), by kind, by Caf, by directorate, totals, the events, their
    # satisfaction ratings (6), the shell (1).
    assert_flat_query_count(client, FIGURES, add, expected=9)
