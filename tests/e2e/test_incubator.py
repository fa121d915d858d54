"""The incubator walked as its users would: a partner applies to a call for projects (a draft,
then the submission), the lab closes the call, a jury member scores the application, the lab
selects it, and the partner reads the decision and finds their project on the cohort's page.
Zero axe violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from incubator.models import Application, Call
from incubator.services import application_score
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.incubator.factories import make_call, submitted_application

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def test_a_partner_applies_is_scored_selected_and_joins_a_cohort(
    browser, live_server, login_as, assert_accessible, partner, lab_staff, agent_b
):
    call = make_call(lab_staff, title="Incubateur : aller vers les familles", jury=[agent_b])
    call_url = live_server.url + call.get_absolute_url()

    # The partner finds the call, saves a draft, then submits it.
    context, page = _sign_in(browser, live_server, login_as, partner)
    page.goto(live_server.url + reverse("incubator:index"))
    assert_accessible(page)
    page.get_by_role("link", name=call.title).click()
    assert_accessible(page)
    page.get_by_role("link", name="Candidater").click()
    page.get_by_label("Titre du projet").fill("Les cafés des droits")
    page.get_by_label("Résumé du projet").fill("Des permanences conviviales en centre social.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#messages")).to_contain_text("Votre brouillon est enregistré")
    expect(page.get_by_label("Titre du projet")).to_have_value("Les cafés des droits")
    assert_accessible(page)
    page.get_by_label("Votre public ?").fill("Parents isolés")
    page.get_by_role("button", name="Déposer ma candidature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les cafés des droits")
    assert_accessible(page)
    application = Application.objects.get(applicant=partner)
    assert application.status == Application.Status.SUBMITTED

    # The lab closes the call: the jury starts.
    lab_context, lab_page = _sign_in(browser, live_server, login_as, lab_staff)
    lab_page.goto(call_url)
    assert_accessible(lab_page)
    lab_page.get_by_role("button", name="Passer à «\u00a0Clos, en sélection\u00a0»").click()
    expect(lab_page.locator("#messages")).to_contain_text("Le statut de l’appel est changé.")

    # A jury member scores it from the ranking.
    jury_context, jury_page = _sign_in(browser, live_server, login_as, agent_b)
    jury_page.goto(live_server.url + reverse("incubator:ranking", kwargs={"slug": call.slug}))
    assert_accessible(jury_page)
    jury_page.get_by_role("link", name="Noter\u00a0: Les cafés des droits").click()
    assert_accessible(jury_page)
    for criterion in call.criteria.all():
        jury_page.locator(f"input[name='note_{criterion.pk}'][value='4']").check()
    jury_page.get_by_role("button", name="Enregistrer mes notes").click()
    expect(jury_page.locator("#messages")).to_contain_text("Vos notes sont enregistrées.")
    expect(jury_page.locator("main table")).to_contain_text("4,0")
    assert_accessible(jury_page)

    # The lab selects it, with its reasons.
    lab_page.goto(live_server.url + reverse("incubator:ranking", kwargs={"slug": call.slug}))
    lab_page.get_by_role("link", name="Décider : Les cafés des droits").click()
    assert_accessible(lab_page)
    lab_page.get_by_label("Retenue", exact=True).check()
    lab_page.get_by_label("Motifs, dits au candidat ou à la candidate").fill(
        "Un besoin bien documenté et des parents relais engagés."
    )
    lab_page.get_by_role("button", name="Enregistrer la décision").click()
    expect(lab_page.locator("#messages")).to_contain_text("La décision est enregistrée")

    # The partner reads the decision and finds their project in the cohort.
    page.goto(live_server.url + application.get_absolute_url())
    expect(page.get_by_role("heading", name="Décision\u00a0: Retenue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Promotion Incubateur : aller vers les familles").click()
    expect(page.locator("main table")).to_contain_text("Les cafés des droits")
    assert_accessible(page)
    for ctx in (context, lab_context, jury_context):
        ctx.close()


def test_the_lab_pages_through_the_ranking_and_decides_from_page_two(
    browser, live_server, login_as, assert_accessible, lab_staff, agent_b, settings
):
    settings.INCUBATOR_RANKING_PAGE_SIZE = 2  # the live server runs in this process
    call = make_call(lab_staff, title="Incubateur : un grand appel", jury=[agent_b])
    applications = {
        value: submitted_application(call, UserFactory(role=Role.AGENT), title=title)
        for value, title in ((5, "Première"), (4, "Deuxième"), (2, "Troisième"))
    }
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)  # the jury scores now
    for value, application in applications.items():
        scores = {c.pk: (value, "") for c in call.criteria.all()}
        application_score(application=application, juror=agent_b, scores=scores)

    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(live_server.url + reverse("incubator:ranking", kwargs={"slug": call.slug}))
    assert_accessible(page)
    expect(page.locator("main table")).to_contain_text("Première")
    expect(page.locator("main table")).not_to_contain_text("Troisième")
    page.get_by_role("link", name="Page suivante").click()
    assert_accessible(page)
    row = page.locator("main table tbody tr").first
    expect(row.locator("td").first).to_have_text("3")
    expect(row).to_contain_text("Troisième")
    page.get_by_role("link", name="Décider\u00a0: Troisième").click()
    assert_accessible(page)
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_be_visible()
    context.close()
