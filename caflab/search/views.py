"""The cross-app search page (`/recherche/?q=`): results grouped by kind, each group capped,
or one kind's results page by page (`&type=idees`)."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caflab.search.query import clean
from caflab.search.selectors import (
    KINDS_BY_KEY,
    PAGE_SIZE,
    grouped_results,
    kind_results,
)


def results(request: HttpRequest) -> HttpResponse:
    text = clean(request.GET.get("q"))
    kind = KINDS_BY_KEY.get(request.GET.get("type", ""))
    context: dict[str, Any] = {"q": text, "kind": kind}
    if text and kind:
        rows = kind_results(user=request.user, text=text, kind=kind)
        if rows is not None:
            page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
            context.update(
                page_obj=page,
                results=[kind.item(request.user, row) for row in page.object_list],
            )
        else:
            context["kind"] = None
    if text and context["kind"] is None:
        groups = grouped_results(user=request.user, text=text)
        context.update(groups=groups, total=sum(group.total for group in groups))
    return render(request, "search/results.html", context)
