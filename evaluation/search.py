"""Searching evaluation plans (caflab.search.query.matching): a plan is found by its own words
(object, methods, calendar) or by its project's (code, title, problem, solution), the project's
title being typo-tolerant. `icontains` on SQLite."""

from django.db.models import QuerySet

from caflab.search.query import AUTO, clean, matching
from evaluation.models import EvaluationPlan


def search_plans(
    queryset: QuerySet[EvaluationPlan], text: str, *, typos: str = AUTO
) -> QuerySet[EvaluationPlan]:
    if not clean(text):
        return queryset
    return matching(
        queryset,
        text,
        vectors=("search_vector", "project__search_vector"),
        title="project__title",
        fields=("project__title", "project__code", "summary", "methods"),
        typos=typos,
    ).order_by("-rank", "project__code")
