"""The project-page panel: participation part (see evaluation/panels/__init__.py).

Open severe negative effects show first and prominently (they block a "go" at the next gate
review); then counts and links. Two queries (the blocking effects, and every count at once
through subqueries), whatever the data size.
"""

from typing import Any

from caflab.core.queries import count_of
from evaluation.models import Effect, Survey, Testimony
from projects.models import Project


def context(project, user) -> dict[str, Any] | None:
    if not user.has_perm("evaluation.view_participation"):
        return None
    blocking = list(Effect.objects.blocking().filter(project=project).order_by("created_at")[:10])
    counts = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            n_effects=count_of(Effect, "project"),
            n_unresolved=count_of(Effect, "project", status__in=["open", "mitigating"]),
            n_blocking=count_of(Effect, "project", pk__in=Effect.objects.blocking().values("pk")),
            n_testimonies=count_of(Testimony, "project"),
            n_surveys=count_of(Survey, "project"),
        )
        .values("n_effects", "n_unresolved", "n_blocking", "n_testimonies", "n_surveys")
        .get()
    )
    return {"blocking": blocking, **counts}
