"""Open data walked by an anonymous visitor: from the footer to the open-data page (each
dataset with its schema's columns), a CSV downloaded from its stable URL and read back, then
the consultations page whose announced feed lists the open consultation. Zero axe violations
on every page visited."""

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.opendata.models import GenerationRun
from caflab.opendata.services import Result, generation_build
from tests.ecoute.factories import ConsultationFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def generated(lab_staff):
    project = ProjectFactory(is_public=True, title="Rendez-vous des droits", lead=lab_staff)
    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    run = GenerationRun.objects.create()
    assert generation_build(run_id=run.pk) == Result.READY
    return {"project": project, "consultation": consultation}


def test_a_visitor_downloads_a_dataset_and_follows_a_feed(
    page, live_server, assert_accessible, generated
):
    page.goto(live_server.url + reverse("core:home"))
    page.get_by_role("contentinfo").get_by_role("link", name="Données ouvertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes")
    expect(page.get_by_text("Licence Ouverte / Open Licence version 2.0").first).to_be_visible()
    page.get_by_text("Schéma de « Projets du portefeuille (fiches publiques) »").click()
    expect(
        page.get_by_role(
            "table", name="Colonnes de «\u00a0Projets du portefeuille (fiches publiques)\u00a0»"
        )
    ).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name="CSV\u00a0: Projets du portefeuille (fiches publiques)"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "projets.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["titre"] for row in rows] == ["Rendez-vous des droits"]

    page.goto(live_server.url + reverse("ecoute:index"))
    assert_accessible(page)
    feed = page.locator('link[rel="alternate"][type="application/rss+xml"]').first
    response = page.request.get(live_server.url + feed.get_attribute("href"))
    assert response.ok
    root = ET.fromstring(response.body())  # noqa: S314 (our own feed)
    assert [item.findtext("title") for item in root.iter("item")] == ["Votre accueil à la Caf"]
