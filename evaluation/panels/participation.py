"""The project-page panel: participation part (see evaluation/panels/__init__.py).

Open severe negative effects show first and prominently (they block a "go" at the next gate
review); then counts and links. Four queries, whatever the data size.
"""

from typing import Any

from django.db.models import Count, Q

from evaluation.models import Effect, Survey, Testimony


def context(project, user) -> dict[str, Any] | None:
    if not user.has_perm("evaluation.view_participation"):
        return None
    blocking = list(Effect.objects.blocking().filter(project=project).order_by("created_at")[:10])
    effects = Effect.objects.filter(project=project).aggregate(
        total=Count("pk"),
        unresolved=Count("pk", filter=Q(status__in=["open", "mitigating"])),
        blocking=Count("pk", filter=Q(pk__in=Effect.objects.blocking().values("pk"))),
    )
    return {
        "blocking": blocking,
        "n_blocking": effects["blocking"],
        "n_effects": effects["total"],
        "n_unresolved": effects["unresolved"],
        "n_testimonies": Testimony.objects.filter(project=project).count(),
        "n_surveys": Survey.objects.filter(project=project).count(),
    }
