"""The live criée keeps your place: on a phone, by keyboard only, an agent of Caf B says
"Curieuse" for three pitches in a row. Each press updates the buttons in place (no reload), the
focus stays on the pressed button, the page does not scroll back to the top, and the result is
read out in the page's live region."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from criees.models import Criee, InterestDeclaration
from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_an_agent_declares_interest_on_three_pitches_by_keyboard_without_losing_its_place(
    page, live_server, login_as, assert_accessible, agent_b, caf_b
):
    criee = CrieeFactory(status=Criee.Status.CLOSED, title="Criée des solidarités")
    pitches = [
        PitchFactory(criee=criee, initiative=InitiativeFactory(title=f"Initiative {n}"), position=n)
        for n in (1, 2, 3)
    ]
    page.set_viewport_size(PHONE)
    login_as(page, live_server, agent_b)
    page.goto(live_server.url + reverse("criees:live", kwargs={"pk": criee.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "En direct\u00a0: Criée des solidarités"
    )
    page.evaluate("window.notReloaded = true")
    announce = page.locator("#annonce-interet")

    for pitch in pitches:
        button = page.locator(f"#interet-programme-{pitch.pk}-curious")
        for _ in range(80):  # by keyboard only, as a person would
            page.keyboard.press("Tab")
            if button.evaluate("element => element === document.activeElement"):
                break
        else:
            pytest.fail(f"the button of pitch {pitch.position} never got the focus")
        scrolled = page.evaluate("window.scrollY")
        page.keyboard.press("Enter")
        # Swapped in place: the button now shows the Caf's level, and still has the focus.
        expect(button).to_have_class("btn btn-sm btn-primary")
        expect(button).to_be_focused()
        expect(announce).to_contain_text(f"Intérêt de la {caf_b.name} enregistré")
        assert page.evaluate("window.notReloaded") is True
        assert abs(page.evaluate("window.scrollY") - scrolled) < 50

    assert InterestDeclaration.objects.filter(caf=caf_b, level="curious").count() == 3
    assert_accessible(page)
