"""Single sign-on in a real browser against a real OpenID Connect provider on loopback:
"Se connecter avec ProConnect" → the provider's login page → back on CafLab, signed in and
placed in the right Caf; and a pending account until a correspondent places it. Zero axe
violations on every CafLab page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role, User
from caflab.network.models import CafSiret
from tests.e2e.conftest import new_context
from tests.oidc_fixtures import TEST_CLIENT_ID, TEST_CLIENT_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PROVIDER_PASSWORD = "mot-de-passe-du-fournisseur"


@pytest.fixture
def sso(settings, live_server, oidc_provider, caf_a):
    settings.SITE_URL = live_server.url
    settings.SSO_PROVIDERS = {
        "agents": {
            "label": "ProConnect",
            "discovery_url": oidc_provider.discovery_url,
            "client_id": TEST_CLIENT_ID,
            "client_secret": TEST_CLIENT_SECRET,
            "scopes": "openid email given_name usual_name siret organizational_unit uid",
        },
        "citizens": {"label": "FranceConnect", "discovery_url": "", "client_id": ""},
    }
    CafSiret.objects.create(caf=caf_a, siret="53448187300017", label="Siège")
    return oidc_provider


def sign_in_with_proconnect(page, live_server, email, assert_accessible=None):
    page.goto(live_server.url + reverse("accounts:login"))
    if assert_accessible:
        assert_accessible(page)
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("fournisseur d'identité de test")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: url.startswith(live_server.url))


def test_an_agent_signs_in_with_proconnect_and_lands_in_their_caf(
    page, live_server, sso, caf_a, assert_accessible
):
    sso.add_user(
        "lea.martin@caf38.example",
        PROVIDER_PASSWORD,
        "sub-lea",
        given_name="Léa",
        usual_name="Martin",
        siret="53448187300017",
        organizational_unit="Pôle accueil",
    )

    sign_in_with_proconnect(page, live_server, "lea.martin@caf38.example", assert_accessible)

    expect(page).to_have_url(live_server.url + reverse("core:home"))
    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_role("main")).to_contain_text("Agent de Caf")
    expect(page.get_by_role("main")).to_contain_text(caf_a.name)
    assert_accessible(page)
    user = User.objects.get(email="lea.martin@caf38.example")
    assert (user.role, user.caf_id) == (Role.AGENT, caf_a.pk)


def test_a_pending_agent_waits_until_a_correspondent_places_them(
    page, live_server, sso, caf_a, correspondent_a, login_as, assert_accessible, browser
):
    sso.add_user(
        "hugo.bernard@caf38.example",
        PROVIDER_PASSWORD,
        "sub-hugo",
        given_name="Hugo",
        usual_name="Bernard",
        siret="99988877700011",
        organizational_unit="Antenne de Vienne",
    )

    sign_in_with_proconnect(page, live_server, "hugo.bernard@caf38.example")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre compte attend l’attribution de votre Caf"
    )
    expect(page.get_by_role("main")).to_contain_text("Antenne de Vienne")
    assert_accessible(page)

    # The correspondent of the Isère, in another browser, places Hugo in their Caf.
    context = new_context(browser)
    other = context.new_page()
    login_as(other, live_server, correspondent_a)
    other.get_by_role("link", name="Comptes à rattacher").first.click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Comptes à rattacher à une Caf")
    assert_accessible(other)
    other.get_by_role("link", name="Rattacher Hugo Bernard").click()
    assert_accessible(other)
    other.get_by_role("button", name="Rattacher à ma Caf").click()
    expect(other.get_by_role("alert").or_(other.locator(".alert-success"))).to_contain_text(
        "Hugo Bernard est rattaché·e"
    )
    expect(other.get_by_role("main")).to_contain_text("Aucun compte n’attend de Caf.")
    assert_accessible(other)
    context.close()

    page.goto(live_server.url + reverse("accounts:profile"))
    expect(page.get_by_role("main")).to_contain_text(caf_a.name)
    user = User.objects.get(email="hugo.bernard@caf38.example")
    assert (user.role, user.caf_id) == (Role.AGENT, caf_a.pk)
