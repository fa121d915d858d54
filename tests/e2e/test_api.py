"""The read API walked as a Caf's data team would: Caf A's correspondent opens their profile,
creates a personal access token (its secret shown once: gone when the profile is opened
again), then a script reads the portfolio through the API with it, seeing Caf A's draft and
never Caf B's; the token revoked on the profile, the script gets a 401. The API's docs page
has no CSP error (the page fixture fails on any) and zero axe violations, like the profile."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_correspondent_creates_a_token_and_a_script_reads_the_portfolio(
    page, live_server, login_as, assert_accessible, correspondent_a, agent_b, caf_a, caf_b
):
    ProjectFactory(
        code="INNO-2026-801",
        title="Brouillon de la Caf A",
        is_draft=True,
        lead=correspondent_a,
        pilot_caf=caf_a,
    )
    ProjectFactory(
        code="INNO-2026-802",
        title="Brouillon de la Caf B",
        is_draft=True,
        lead=agent_b,
        pilot_caf=caf_b,
    )
    login_as(page, live_server, correspondent_a)
    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_role("heading", name="Accès à l’API")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nom du jeton").fill("Tableau de bord Metabase")
    page.get_by_label("Durée de validité").select_option("30")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre nouveau jeton d’accès")
    assert_accessible(page)
    secret = page.get_by_label("Secret du jeton").input_value()
    assert secret.startswith("caflab_")

    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_role("cell", name="actif")).to_be_visible()
    assert secret not in page.content()  # shown once

    script = Client(headers={"Authorization": f"Bearer {secret}"})
    body = script.get(reverse("api-v1:projects")).json()
    codes = {row["code"] for row in body["results"]}
    assert "INNO-2026-801" in codes
    assert "INNO-2026-802" not in codes

    page.get_by_role("button", name="Révoquer Tableau de bord Metabase").click()
    expect(page.get_by_role("cell", name="révoqué")).to_be_visible()
    refused = script.get(reverse("api-v1:projects"))
    assert refused.status_code == 401
    assert "révoqué" in refused.json()["detail"]

    page.goto(live_server.url + reverse("api:docs"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("API de CafLab")
    assert_accessible(page)
