"""Query helpers shared by the apps."""

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model: type[models.Model], field: str, **filters: object) -> Coalesce:
    """How many `model` rows point at the outer row through `field`, as a subquery: several
    counts on one row or list cost no join (joins would multiply each other's rows)."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)
