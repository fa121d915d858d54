"""Printing a page (print media emulated): no navigation, no buttons, links spelled out."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_printed_page_has_no_navbar_and_spells_out_its_links(page, live_server):
    page.goto(live_server.url + reverse("core:home"))
    expect(page.locator("#menu-principal")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#menu-principal")).to_be_hidden()
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(page.locator(".site-search-bar")).to_be_hidden()
    expect(page.locator(".footer-links")).to_be_hidden()
    after = page.evaluate(
        """() => {
          const link = document.querySelector('main a[href^="/"]');
          return [link.getAttribute("href"), getComputedStyle(link, "::after").content];
        }"""
    )
    href, content = after
    assert content == f'" ({href})"', after
    page.emulate_media(media="screen")
    expect(page.locator("#menu-principal")).to_be_visible()


def test_a_printed_dashboard_keeps_each_charts_data_table(page, live_server, login_as):
    ProjectFactory()
    lab = UserFactory(role=Role.LAB_STAFF, caf=None)
    login_as(page, live_server, lab)
    page.goto(live_server.url + reverse("projects:dashboard"))
    table = page.locator("details.chart-data table").first
    expect(table).to_be_hidden()  # on screen, under "Voir les données"
    page.emulate_media(media="print")
    expect(table).to_be_visible()
    expect(page.locator("details.chart-data > summary").first).to_be_hidden()
    page.emulate_media(media="screen")
    expect(table).to_be_hidden()
