"""What projects shows on other apps' pages, registered with the core's page panels
(`caflab.core.panels`) in the app's AppConfig.ready()."""

from typing import Any

from django.http import HttpRequest


def caf_dashboard(request: HttpRequest, caf: Any) -> dict[str, Any] | None:
    """A Caf's dashboard ("caf_dashboard"): the portfolio's links for the Caf (its projects,
    the essaimage map, its ideas). No query."""
    return {"caf": caf}
