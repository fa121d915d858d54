"""Issue 17: the maps and diagrams outside the chart module read as the charts do. On the map of
the 101 Caf and its adoption curve, an impact report's map and a theory of change, every text is
14 px or more (the chart module's size, caflab.core.charts.FONT_SIZE), the numbers are written
by the one French formatter, and axe finds nothing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.evaluation.factories import evaluated_project, spread_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SMALLEST = 14


def font_sizes(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize))"
    )


def assert_readable(page, selector: str) -> None:
    sizes = font_sizes(page, selector)
    assert sizes, f"no text in {selector}"
    assert min(sizes) >= SMALLEST, (selector, sorted(sizes)[:5])


def test_maps_curves_and_the_theory_of_change_write_at_14_px_or_more(
    page, live_server, login_as, assert_accessible, lab_staff
):
    from evaluation.services.reports import report_request

    project = evaluated_project()
    spread_project(project, by=lab_staff)
    report = report_request(project=project, by=project.lead)  # built at once (eager tasks)
    page.set_viewport_size({"width": 1366, "height": 900})
    login_as(page, live_server, lab_staff)

    # The map of the 101 Caf (overseas names and heading included) and the adoption curve.
    page.goto(live_server.url + reverse("projects:map"))
    expect(page.get_by_role("img", name="Courbe d’adoption")).to_be_visible()
    assert_readable(page, ".caf-map__svg text")
    assert_readable(page, ".adoption-curve__svg text")
    assert "Outre-mer" in page.locator(".caf-map__svg").text_content()
    assert_accessible(page)

    # The theory of change drawn on the evaluation plan.
    page.goto(live_server.url + reverse("evaluation:plan", kwargs={"code": project.code}))
    expect(page.locator(".toc-diagram svg")).to_be_visible()
    assert_readable(page, ".toc-diagram text")
    assert_accessible(page)

    # The impact report's map.
    page.goto(live_server.url + reverse("evaluation:report-detail", kwargs={"pk": report.pk}))
    expect(page.get_by_role("img", name=f"Où {project.code} est déployé")).to_be_visible()
    assert_readable(page, ".report-map__svg text")
    assert_accessible(page)
