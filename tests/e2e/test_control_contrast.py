"""Controls you can see (WCAG 1.4.11, which axe does not check): the border of every empty
checkbox, radio button, text field and select reaches 3:1 against what surrounds it, and so does
the focus ring, including the phone's "Menu" button. Colours are the browser's computed ones."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from ecoute.models import Question
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import GateReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
CONTROLS = (
    "input[type=checkbox]:not(:checked), input[type=radio]:not(:checked),"
    " input.form-control, textarea.form-control, select.form-select"
)

# Relative luminance and contrast as WCAG defines them; `behind(el)` is the first opaque
# background up the tree (white at the top), the colour the control's edge stands against.
# (Background images are not read: the pages swept here have none behind their controls.)
CONTRAST_JS = """
(() => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const lum = (colour) => {
    const [r, g, b] = rgb(colour).slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const opaque = (colour) => {
    const parts = rgb(colour);
    return parts.length < 4 || parts[3] > 0.5;
  };
  const behind = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (opaque(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  window.cafContrast = { contrast, behind, opaque };
})();
"""


def _install(page: Page) -> None:
    page.evaluate(CONTRAST_JS)


def low_contrast_controls(page: Page) -> list[str]:
    """The visible controls whose border is under 3:1 against their surroundings."""
    _install(page)
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
          .filter((el) => el.offsetParent !== null && el.type !== "hidden")
          .map((el) => {
            // The edge is the border, or the control's own fill when it stands out (a white
            // field on the dark header).
            const style = getComputedStyle(el);
            const around = window.cafContrast.behind(el);
            const fill = window.cafContrast.opaque(style.backgroundColor)
              ? window.cafContrast.contrast(style.backgroundColor, around) : 0;
            const ratio = Math.max(
              window.cafContrast.contrast(style.borderTopColor, around), fill);
            return [el.name || el.id || el.type, style.borderTopColor, ratio];
          })
          .filter(([, , ratio]) => ratio < 3)
          .map(([name, colour, ratio]) => `${name}: ${colour} ${ratio.toFixed(2)}:1`)""",
        CONTROLS,
    )


def count_controls(page: Page) -> int:
    return page.locator(CONTROLS).count()


def focus_ring(page: Page) -> dict:
    """The focused element's outline: style, width and contrast against its surroundings."""
    _install(page)
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            style: style.outlineStyle,
            width: parseFloat(style.outlineWidth),
            ratio: window.cafContrast.contrast(style.outlineColor, window.cafContrast.behind(el)),
            focusVisible: el.matches(":focus-visible"),
          };
        }"""
    )


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} never got the focus with Tab")


def assert_visible_ring(page: Page) -> None:
    ring = focus_ring(page)
    assert ring["focusVisible"], ring
    assert ring["style"] not in ("none", "hidden"), ring
    assert ring["width"] >= 2, ring
    assert ring["ratio"] >= 3, ring


def test_empty_checkboxes_radios_and_fields_have_a_border_at_3_to_1(
    page, live_server, login_as, assert_accessible, lab_staff, citizen
):
    consultation = ConsultationFactory(title="Votre accueil")
    section = first_section(consultation)
    QuestionFactory(
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Êtes-vous venu sur rendez-vous ?",
        options=["Oui", "Non"],
    )
    QuestionFactory(
        section=section,
        kind=Question.Kind.MULTIPLE_CHOICE,
        label="Qu’avez-vous fait ?",
        options=["Un dossier", "Une question"],
    )
    QuestionFactory(section=section, label="Un mot de plus ?")
    review = GateReviewFactory()
    IdeaFactory.create_batch(2)

    login_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    assert count_controls(page) >= 5
    assert low_contrast_controls(page) == []
    tab_to(page, "input[type=radio]")
    assert_visible_ring(page)
    tab_to(page, "input[type=checkbox]")
    assert_visible_ring(page)

    page.context.clear_cookies()
    login_as(page, live_server, lab_staff)
    for path in (
        reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk}),
        reverse("ideas:triage"),
    ):
        page.goto(live_server.url + path)
        assert count_controls(page) >= 2, path
        assert low_contrast_controls(page) == [], path
    assert_accessible(page)


def test_the_phone_menu_button_shows_its_focus(page, live_server, login_as, assert_accessible):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("core:home"))
    tab_to(page, ".navbar-toggler")
    assert_visible_ring(page)
    page.keyboard.press("Enter")
    page.locator("#menu-principal.show").wait_for()
    tab_to(page, "#menu-principal a")
    assert_visible_ring(page)
    assert_accessible(page)
