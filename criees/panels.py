"""What criees shows on other apps' pages, registered with the core's page panels
(`caflab.core.panels`) in the app's AppConfig.ready()."""

from typing import Any

from django.http import HttpRequest


def caf_dashboard(request: HttpRequest, caf: Any) -> dict[str, Any] | None:
    """A Caf's dashboard ("caf_dashboard"): the link to the Caf's criées page (its
    initiatives and the interest they draw). No query."""
    return {"caf": caf}
