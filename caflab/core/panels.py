"""Page panels: the pieces other apps put on a page, without the page knowing them.

A page that shows other apps' pieces (the project page, a Caf's dashboard) renders
`{% load panels %}{% page_panels "project" project %}`; each app registers its pieces from
its AppConfig.ready():

    register_panel(
        "project",
        name="evaluation",
        template="evaluation/includes/project_panel.html",
        context=project_page.context,  # (request, project) -> dict | None
        order=100,
    )

The panels of a page are rendered in `order` (then `name`), each with its context function's
dict; a context function that returns None hides its panel (no permission, nothing to show).
A context function runs while the page renders: it reads what the page's object already
carries, so that a panel does not add a query per row. An unknown page has no panel.

Pages: "project" (the object is a projects.Project), "caf_dashboard" (a network.Caf),
"portfolio_dashboard" (the director's dashboard; the object is the projects the reader sees:
its view computes the panels first and fingerprints their data with the page's cached part),
"consultation_manage" (an ecoute.Consultation, on its management page), "programme" (a
network.Programme on its page, carrying `visible_projects`: its projects the reader sees),
"gate_review" (a projects.GateReview, its `project` loaded), "home" (the home
page's "Ce qui vous attend"; the object is the signed-in user: each app's panel returns what is
waiting for that user, or None when nothing concerns their role, built with
`caflab.core.waiting.waiting_panel` and rendered with the shared `components/waiting_list.html`;
each costs a fixed number of queries whatever the data size).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    page: str
    name: str
    template: str
    context: PanelContext
    order: int = 100


_panels: dict[str, dict[str, Panel]] = {}


def register_panel(
    page: str, *, name: str, template: str, context: PanelContext, order: int = 100
) -> Panel:
    """Put the panel `name` on `page`. Registering a name again replaces it (idempotent)."""
    panel = Panel(page=page, name=name, template=template, context=context, order=order)
    _panels.setdefault(page, {})[name] = panel
    return panel


def unregister_panel(page: str, name: str) -> None:
    _panels.get(page, {}).pop(name, None)


def panels_of(page: str) -> list[Panel]:
    """The panels registered on `page`, in the order they are shown."""
    return sorted(_panels.get(page, {}).values(), key=lambda p: (p.order, p.name))


def shown_panels(page: str, request: HttpRequest, obj: Any) -> list[tuple[Panel, dict[str, Any]]]:
    """Each panel of `page` to show for this request and object, with its context."""
    shown = []
    for panel in panels_of(page):
        context = panel.context(request, obj)
        if context is not None:
            shown.append((panel, context))
    return shown
