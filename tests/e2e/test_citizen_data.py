"""A citizen's own account and data, walked in a browser: sign up, confirm the address from the
e-mail, log in, accept an invitation to the Lab Parentalité (with consent), open "my data" and
download it as JSON, then leave the community. Zero axe violations on every page visited."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import User
from ecoute.models import Community, Membership
from ecoute.services.communities import community_invite

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "parent.grenoble@example.org"
PASSWORD = "une-phrase-de-passe-solide"


def _link(mailoutbox, marker: str) -> str:
    for mail in reversed(mailoutbox):
        for line in mail.body.splitlines():
            if marker in line:
                return urlsplit(line.strip()).path
    pytest.fail(f"no e-mail with a link containing {marker}")


def test_a_citizen_signs_up_joins_the_community_downloads_their_data_and_leaves(
    live_server, page, assert_accessible, correspondent_a, caf_a, mailoutbox
):
    community = Community.objects.create(
        name="Lab Parentalité",
        caf=caf_a,
        description="Des parents de Grenoble qui imaginent les services avec la Caf.",
    )
    community_invite(community=community, email=EMAIL, by=correspondent_a)

    # --- sign up ------------------------------------------------------------------------------
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    assert_accessible(page)
    page.get_by_role("textbox", name="Adresse e-mail").fill(EMAIL)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_label("J’ai lu la politique de confidentialité").check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert_accessible(page)
    assert not User.objects.get(email=EMAIL).is_active

    # --- confirm the address, then log in -----------------------------------------------------
    page.goto(live_server.url + _link(mailoutbox, "/inscription/confirmer/"))
    expect(page.locator("body")).to_contain_text("Votre adresse est confirmée")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)

    # --- accept the invitation, with consent --------------------------------------------------
    page.goto(live_server.url + _link(mailoutbox, "/communautes/invitation/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lab Parentalité")
    assert_accessible(page)
    page.get_by_label("J’ai lu le texte ci-dessus").check()
    page.get_by_role("button", name="Accepter l’invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes communautés")
    expect(page.locator("body")).to_contain_text("Bienvenue dans la communauté")
    assert_accessible(page)
    assert Membership.objects.active().filter(user__email=EMAIL, community=community).exists()

    # --- my data, downloaded as JSON ----------------------------------------------------------
    page.goto(live_server.url + reverse("accounts:my-data"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    expect(page.locator("body")).to_contain_text("Lab Parentalité")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["sections"]["accounts.account"]["items"][0]["Adresse e-mail"] == EMAIL
    assert data["sections"]["ecoute.memberships"]["items"][0]["Communauté"] == "Lab Parentalité"

    # --- leave the community: confirmed, immediate ---------------------------------------------
    page.get_by_role("link", name="Mes communautés").click()
    page.get_by_role("link", name="Quitter «\u00a0Lab Parentalité\u00a0»").click()
    assert_accessible(page)
    page.get_by_role("button", name="Oui, quitter la communauté").click()
    expect(page.locator("body")).to_contain_text("Vous avez quitté la communauté")
    expect(page.locator("body")).to_contain_text("Vous n’êtes membre d’aucune communauté.")
    assert_accessible(page)
    assert not Membership.objects.active().filter(user__email=EMAIL).exists()
