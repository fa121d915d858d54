"""The "Évaluation" section of a Caf's dashboard, registered with the core's page panels
(`caflab.core.panels`, page "caf_dashboard") in EvaluationConfig.ready()."""

from typing import Any

from django.http import HttpRequest


def context(request: HttpRequest, caf: Any) -> dict[str, Any] | None:
    """A word that the Caf's evaluations will come here. No query."""
    return {"caf": caf}
