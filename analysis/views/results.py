"""What the coding says: counts and shares per code, by segment, its chart and quotes; and the
exports of the coded texts, built in the background (analysis.services.exports): asked for
here, followed on their own page, downloaded by their requester only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from analysis import services
from analysis.exports import export_filename
from analysis.models import AnalysisExport
from analysis.results import SEGMENTS, build_results
from analysis.services.exports import RECENT
from analysis.views.common import managed_analysis
from caflab.core.errors import AlreadyDone
from caflab.core.uploads import download_response


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    return render(
        request,
        "analysis/results.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "results": build_results(analysis, request.GET.get("segment", "audience")),
            "segments": SEGMENTS,
            "my_exports": list(
                AnalysisExport.objects.filter(analysis=analysis, requested_by=request.user)[:RECENT]
            ),
        },
    )


@require_POST
@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Ask for an export: a row, and a task queued after the commit; nothing is built here."""
    analysis = managed_analysis(request, pk)
    if fmt not in AnalysisExport.Format.values:
        raise Http404
    job = services.export_request(analysis=analysis, by=request.user, fmt=fmt)
    return redirect(job)


def _my_export(request: HttpRequest, pk: int) -> AnalysisExport:
    """An export, for its requester only, while they still manage its analysis: 404 for
    anyone else (another Caf's correspondent, a colleague of the lab, the former manager)."""
    job = get_object_or_404(AnalysisExport, pk=pk, requested_by=request.user.pk)
    job.analysis = managed_analysis(request, job.analysis_id)
    return job


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _my_export(request, pk)
    context = {"job": job, "analysis": job.analysis, "consultation": job.analysis.home}
    if request.htmx:
        return render(request, "analysis/includes/export_progress.html", context)
    return render(request, "analysis/export_detail.html", context)


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _my_export(request, pk)
    if job.status != AnalysisExport.Status.READY:
        raise Http404
    filename = export_filename(job.analysis, job.format, on=timezone.localdate(job.created_at))
    return download_response(job.file, filename=filename)


@require_POST
@login_required
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Relancer" a failed export: its requester, still a manager, gets a fresh one."""
    job = _my_export(request, pk)
    try:
        job = services.export_retry(export=job, by=request.user)
    except AlreadyDone as exc:
        messages.warning(request, str(exc))
    return redirect(job)
