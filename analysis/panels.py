"""What the analysis app shows on other apps' pages (`caflab.core.panels`)."""

from typing import Any

from django.http import HttpRequest


def consultation_manage(request: HttpRequest, consultation: Any) -> dict[str, Any] | None:
    """The consultation's management page ("consultation_manage"): a link to the analysis of
    what people wrote, for those who may run it. No query: the page already checked that the
    person manages the consultation."""
    if not request.user.has_perm("analysis.analyse_consultation", consultation):
        return None
    return {"consultation": consultation}
