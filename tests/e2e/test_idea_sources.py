"""Where innovations come from, walked as its users would: a directorate member requests a
creativity session; the lab schedules it, holds it and enters three ideas from it; one is
accepted as a project, which appears in the portfolio with the session as its origin; its
author is notified. Zero axe violations on every page visited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caflab.accounts.models import Role
from caflab.network.models import Directorate
from caflab.notifications.models import Notification
from ideas.models import CreativitySession, Idea
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def test_a_session_request_ends_in_a_project_traced_to_the_session(
    browser, live_server, login_as, assert_accessible, lab_staff, agent_a
):
    directorate_member = UserFactory(
        email="direction@cnaf.example",
        role=Role.DIRECTORATE,
        caf=None,
        directorate=Directorate.objects.first(),
    )

    # The directorate asks for a creativity session.
    context, page = _sign_in(browser, live_server, login_as, directorate_member)
    page.goto(live_server.url + reverse("ideas:session-request-create"))
    assert_accessible(page)
    page.get_by_label("Intitulé").fill("Mieux accueillir les familles monoparentales")
    page.get_by_label("Problème à traiter").fill(
        "Les familles monoparentales cumulent les démarches et renoncent à leurs droits."
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("familles monoparentales")
    assert_accessible(page)
    request_url = page.url
    context.close()

    # The lab schedules the session from the request, holds it and enters three ideas.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(request_url)
    page.get_by_role("link", name="Programmer une séance pour cette demande").click()
    assert_accessible(page)
    page.get_by_label("Intitulé").fill("Atelier familles monoparentales")
    page.get_by_label("Méthode").select_option("design_thinking")
    held = timezone.localtime() + datetime.timedelta(days=2)
    page.get_by_label("Date et heure").fill(held.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Lieu").fill("Caf de l'Isère, Grenoble")
    page.get_by_role("button", name="Programmer la séance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Atelier familles")
    page.get_by_role("button", name="Marquer la séance comme tenue").click()
    expect(page.locator("body")).to_contain_text("tenue")
    assert_accessible(page)
    page.get_by_role("link", name="Saisir les idées produites").click()
    assert_accessible(page)
    ideas = [
        ("Un interlocuteur unique", "Les familles répètent leur situation à chaque guichet."),
        ("Un simulateur des droits", "Les parents ignorent à quoi ils ont droit."),
        ("Des ateliers budget", "Les fins de mois sont difficiles à anticiper."),
    ]
    for row, (title, problem) in enumerate(ideas):
        page.locator(f"[name='idees-{row}-title']").fill(title)
        page.locator(f"[name='idees-{row}-problem']").fill(problem)
        page.locator(f"[name='idees-{row}-author']").fill(agent_a.email)
    page.get_by_role("button", name="Enregistrer les idées").click()
    session = CreativitySession.objects.get()
    expect(page.locator("body")).to_contain_text("Un interlocuteur unique")
    assert Idea.objects.filter(session=session).count() == 3

    # The first idea is accepted as a project.
    idea = Idea.objects.get(title="Un interlocuteur unique")
    page.goto(live_server.url + reverse("ideas:idea-status", kwargs={"pk": idea.pk}))
    assert_accessible(page)
    page.get_by_label("Retenue comme projet").check()
    page.get_by_label("Motif").fill("Attendue par les trois Caf présentes à la séance.")
    page.get_by_role("button", name="Enregistrer le changement de statut").click()
    idea.refresh_from_db()
    assert idea.project is not None
    context.close()

    # The portfolio shows the project with the session as its origin; the author was told.
    context, page = _sign_in(browser, live_server, login_as, agent_a)
    page.goto(live_server.url + reverse("projects:index"))
    page.get_by_role("link", name="Un interlocuteur unique").click()
    # Its origins: the idea and the session it came from, each a link.
    expect(page.get_by_role("link", name="Atelier familles monoparentales")).to_be_visible()
    assert_accessible(page)
    assert Notification.objects.filter(recipient=agent_a, url=idea.get_absolute_url()).exists()
    page.get_by_role("link", name="Notifications").first.click()
    expect(page.locator("main")).to_contain_text("Un interlocuteur unique")
    assert_accessible(page)
    context.close()
