"""The project-page panel: participation part (see evaluation/panels/__init__.py).

Open severe negative effects show first and prominently (they block a "go" at the next gate
review); then counts and links. The counts come with the panel's (`project_counts`, one
query for every part); the blocking effects are read only when there are some.
"""

from typing import Any

from evaluation.models import Effect
from evaluation.panels import project_counts

PARTICIPATION_COUNTS = ("n_effects", "n_unresolved", "n_blocking", "n_testimonies", "n_surveys")


def context(project, user) -> dict[str, Any] | None:
    if not user.has_perm("evaluation.view_participation"):
        return None
    counts = project_counts(project)
    blocking = []
    if counts["n_blocking"]:
        blocking = list(
            Effect.objects.blocking().filter(project=project).order_by("created_at")[:10]
        )
    return {
        "blocking": blocking,
        **{key: counts[key] for key in PARTICIPATION_COUNTS},
    }
