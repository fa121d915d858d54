"""The events walked as their users would: an agent of Caf A finds a training in the catalogue
(filtered by type), registers, downloads its iCal file and finds it under "Mes inscriptions";
the organiser (the lab) ticks who came with the keyboard, writes the synthesis and a proposal,
and turns the proposal into an idea (the agent who came is told and reads what it became); the
lab reads the year's figures, the agent's Caf among the people trained. Zero axe violations on
every page visited."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from caflab.notifications.models import Notification
from events.models import Event, Registration
from ideas.models import Idea
from tests.e2e.conftest import new_context
from tests.events.factories import EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Animer une séance de créativité"
PROPOSAL = "Un atelier d'écriture sur les courriers de relance."


@pytest.fixture
def training(lab_staff):
    """A training of the day (it began an hour ago: late registrations still taken), so that
    attendance can be taken in the same walk."""
    now = timezone.now()
    EventFactory(title="Webinaire sans rapport", kind=Event.Kind.WEBINAR)
    return EventFactory(
        title=TITLE,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now + datetime.timedelta(hours=4),
        organisers=[lab_staff],
    )


def test_an_agent_registers_to_a_training_and_the_lab_sees_the_figures(
    page, browser, live_server, login_as, assert_accessible, agent_a, lab_staff, training
):
    login_as(page, live_server, agent_a)
    page.goto(live_server.url + reverse("core:home"))
    page.get_by_role("link", name="Formations et événements").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Événements")
    assert_accessible(page)
    page.get_by_label("Type", exact=True).select_option(label="Formation")
    filters = page.get_by_role("search", name="Filtrer les événements")
    filters.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status").first).to_contain_text("1 événement trouvé")
    expect(page.get_by_text("Webinaire sans rapport")).to_have_count(0)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)

    page.get_by_role("button", name="M’inscrire").click()
    expect(
        page.get_by_text("Vous êtes inscrit(e). Un e-mail de confirmation suit.")
    ).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (fichier iCal)").click()
    download = download_info.value
    assert download.suggested_filename == f"evenement-{training.pk}.ics"
    (vevent,) = [
        c
        for c in Calendar.from_ical(Path(download.path()).read_bytes()).walk()
        if c.name == "VEVENT"
    ]
    assert TITLE in str(vevent["summary"])

    page.goto(live_server.url + reverse("events:index"))
    page.get_by_role("link", name="Mes inscriptions").click()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    assert_accessible(page)

    # The organiser takes attendance, with the keyboard.
    context = new_context(browser)
    context.set_default_timeout(10_000)
    lab = context.new_page()
    login_as(lab, live_server, lab_staff)
    lab.goto(live_server.url + reverse("events:create"))
    expect(lab.get_by_role("heading", level=1)).to_have_text("Nouvel événement")
    assert_accessible(lab)
    lab.goto(live_server.url + reverse("events:detail", kwargs={"pk": training.pk}))
    assert_accessible(lab)
    lab.get_by_role("link", name="Présence, supports et chiffres").click()
    expect(lab.get_by_role("heading", level=1)).to_contain_text("Présence et supports")
    assert_accessible(lab)
    box = lab.get_by_role("checkbox", name=agent_a.get_full_name(), exact=False)
    box.focus()
    lab.keyboard.press("Space")
    expect(box).to_be_checked()
    lab.get_by_role("button", name="Enregistrer la présence").click()
    expect(lab.get_by_text("1 personne(s) présente(s)")).to_be_visible()
    assert_accessible(lab)
    assert Registration.objects.get(event=training, user=agent_a).attended is True

    # What came out of it: a synthesis and a proposal, which the lab turns into an idea; the
    # agent who came is told (issue 14).
    lab.get_by_role("textbox", name="Synthèse", exact=True).fill(
        "Les agents veulent pratiquer sur un vrai courrier."
    )
    lab.get_by_role("button", name="Enregistrer la synthèse").click()
    expect(lab.get_by_text("La synthèse est enregistrée.")).to_be_visible()
    lab.get_by_label("Nouvelle proposition").fill(PROPOSAL)
    lab.get_by_role("button", name="Ajouter la proposition").click()
    expect(lab.get_by_text("La proposition est ajoutée.")).to_be_visible()
    assert_accessible(lab)
    lab.get_by_role("link", name="En faire une idée ou voir ce qu’elle est devenue").click()
    expect(lab.get_by_role("heading", level=1)).to_have_text("Une proposition")
    assert_accessible(lab)
    lab.get_by_role("button", name="Créer une idée à partir de ce contenu").click()
    expect(lab.get_by_role("heading", level=1)).to_have_text(PROPOSAL)
    idea = Idea.objects.get(source=Idea.Source.EVENT)
    assert Notification.objects.filter(kind="origin.idea", recipient=agent_a).exists()
    page.goto(live_server.url + reverse("events:detail", kwargs={"pk": training.pk}))
    page.get_by_role("link", name="Ce qu’elle est devenue").click()
    expect(page.get_by_role("main")).to_contain_text(idea.title)
    assert_accessible(page)

    # The year's figures.
    lab.goto(live_server.url + reverse("events:figures"))
    expect(lab.get_by_role("heading", level=1)).to_contain_text(str(timezone.localdate().year))
    caf_table = lab.get_by_role("table", name="Présences par Caf (données du graphique)")
    expect(caf_table).to_be_hidden()  # under its chart's "Voir les données"
    lab.locator("summary", has_text="Présences par Caf").click()
    expect(caf_table).to_contain_text(agent_a.caf.name)
    expect(lab.get_by_role("table", name="Les événements tenus")).to_contain_text(TITLE)
    assert_accessible(lab)
    context.close()
