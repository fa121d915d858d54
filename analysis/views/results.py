"""What the coding says: counts and shares per code, by segment, its chart and quotes; and the
export of the coded texts (CSV, XLSX: the core's formula-safe writer)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from analysis import exports
from analysis.results import SEGMENTS, build_results
from analysis.views.common import managed_analysis
from caflab.core import spreadsheets


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    return render(
        request,
        "analysis/results.html",
        {
            "analysis": analysis,
            "consultation": analysis.consultation,
            "results": build_results(analysis, request.GET.get("segment", "audience")),
            "segments": SEGMENTS,
        },
    )


@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = exports.export_rows(analysis)
    name = f"analyse-{slugify(analysis.consultation.title)[:40]}.{fmt}"
    if fmt == "csv":
        content = spreadsheets.to_csv(header, rows)
        content_type = "text/csv; charset=utf-8"
    else:
        content = spreadsheets.to_xlsx(header, rows, title="Textes codés")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
