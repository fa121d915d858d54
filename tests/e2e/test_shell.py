"""The shell walked in a real browser: every role signs in, reaches its home page and its
notifications by keyboard, with zero axe violations and no CSP violation on the way."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIGNED_IN_PERSONAS = ("lab_staff", "correspondent_a", "agent_a", "agent_b", "citizen")

# What the home page of each role must offer.
HOME_ENTRY = {
    "lab_staff": "Portefeuille d’innovations",
    "correspondent_a": "Tableau de bord de ma Caf",
    "agent_a": "Catalogue des initiatives",
    "agent_b": "Catalogue des initiatives",
    "citizen": "La Caf à votre écoute",
}


@pytest.mark.parametrize(
    "path",
    [
        reverse("core:home"),
        reverse("core:accessibility"),
        reverse("core:legal"),
        reverse("core:privacy"),
        reverse("ecoute:index"),
        "/cette-page-n-existe-pas/",
    ],
)
def test_public_pages_are_accessible_to_anonymous_visitors(
    page, live_server, assert_accessible, path
):
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == (404 if "n-existe-pas" in path else 200)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


@pytest.mark.parametrize("persona_name", SIGNED_IN_PERSONAS)
def test_each_role_signs_in_and_reaches_home_and_notifications_by_keyboard(
    page, live_server, login_as, assert_accessible, request, persona_name
):
    user = request.getfixturevalue(persona_name)
    page.goto(live_server.url + reverse("accounts:login"))
    assert_accessible(page)

    login_as(page, live_server, user)
    expect(page).to_have_url(live_server.url + reverse("core:home"))
    expect(page.get_by_role("link", name=HOME_ENTRY[persona_name]).first).to_be_visible()
    if persona_name == "citizen":
        expect(page.get_by_role("link", name="Portefeuille")).to_have_count(0)
    assert_accessible(page)

    notifications = page.get_by_role("banner").get_by_role(
        "link", name=re.compile("^Notifications")
    )
    notifications.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("notifications:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server):
    page.goto(live_server.url + reverse("core:home"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the skip link must be visible when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def test_csp_is_strict_and_the_page_breaks_none_of_it(page, live_server, console_messages):
    response = page.goto(live_server.url + reverse("core:home"))
    assert response is not None
    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    page.wait_for_load_state("networkidle")
    # htmx and Bootstrap loaded from our own origin and ran.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert not [m for m in console_messages if "Content Security Policy" in m], console_messages


def test_mobile_menu_opens_by_keyboard(page, live_server, login_as, assert_accessible, agent_a):
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, live_server, agent_a)
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Criées")).to_be_hidden()
    toggler = page.get_by_role("button", name="Menu", exact=True)
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.focus()
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Criées")).to_be_visible()
    assert_accessible(page)
    nav.get_by_role("link", name="Criées").click()
    expect(page).to_have_url(live_server.url + reverse("criees:index"))


def test_user_menu_signs_out_by_keyboard(page, live_server, login_as, correspondent_a):
    login_as(page, live_server, correspondent_a)
    menu = page.get_by_role("button", name=re.compile("^Menu du compte"))
    menu.focus()
    page.keyboard.press("Enter")
    sign_out = page.get_by_role("button", name="Se déconnecter")
    expect(sign_out).to_be_visible()
    sign_out.focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Se connecter"
        )
    ).to_be_visible()
