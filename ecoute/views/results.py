"""Results and exports, for a consultation's managers. Results are aggregated by the database
(a fixed number of queries whatever the number of answers) and segmented by audience or Caf,
never showing a group of fewer than 5 responses. Exports are built by a Celery task; the file
is served to its requester only (anyone else: 404)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from caflab.core.uploads import download_response
from ecoute import services
from ecoute.exports import export_filename
from ecoute.forms.builder import ExportForm
from ecoute.lineage import answer_text, answer_visible_to
from ecoute.models import TEXT_KINDS, Answer, ExportJob
from ecoute.results import MIN_GROUP_SIZE, free_text_answers, response_groups
from ecoute.services.results import (
    RESULTS_BODY_TTL,
    questions_version,
    results_body_key,
    stored_results,
)
from ecoute.views.common import managed_consultation, managed_question

FREE_TEXT_PAGE_SIZE = 25


def _segment(request: HttpRequest, groups: Any) -> tuple[Any, Any, bool]:
    """The segment asked for (?segment=audience:citizen), the group, whether it is masked."""
    key = request.GET.get("segment", "")
    group = groups.find(key) if key else None
    if key and group is None:
        raise Http404
    return (group.segment if group else None), group, bool(group and group.is_masked)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results as last computed (a snapshot kept fresh by a task: no aggregate over the
    answers here), dated and counted on the page."""
    consultation = managed_consultation(request, pk)
    questionnaire = consultation.questionnaire
    stored = stored_results(questionnaire, request.GET.get("segment", "")[:40])
    if not stored.is_ready:
        return render(
            request,
            "ecoute/results.html",
            {"consultation": consultation, "pending": True, "min_group_size": MIN_GROUP_SIZE},
        )
    segment, group, masked = _segment(request, stored.groups)
    # The groups and per-question results are the same for every manager until the next
    # refresh or an edit of the questions: rendered once (charts of 100+ Caf rows), cached.
    key = results_body_key(stored, segment, questions_version(questionnaire))
    body = cache.get(key)
    if body is None:
        results = [] if masked else stored.results(questionnaire, segment)
        body = render_to_string(
            "ecoute/includes/results_body.html",
            {
                "groups": stored.groups,
                "segment": segment,
                "masked": masked,
                "pending": results is None,
                "results": results or [],
                "min_group_size": MIN_GROUP_SIZE,
            },
        )
        cache.set(key, str(body), RESULTS_BODY_TTL)
    return render(
        request,
        "ecoute/results.html",
        {
            "consultation": consultation,
            "groups": stored.groups,
            "stored": stored,
            "segment": segment,
            "group": group,
            "masked": masked,
            "body": mark_safe(body),  # noqa: S308 (our own template's output, from the cache)
            "min_group_size": MIN_GROUP_SIZE,
        },
    )


@login_required
def free_text(request: HttpRequest, pk: int) -> HttpResponse:
    """A question's free texts (or its "other, specify"), paginated, with no respondent."""
    question = managed_question(request, pk)
    consultation = question.questionnaire.consultation
    # The groups as last computed (masking agrees with the results page); live when none yet.
    stored = stored_results(question.questionnaire)
    groups = stored.groups if stored.is_ready else response_groups(question.questionnaire)
    segment, group, masked = _segment(request, groups)
    page = None
    if not masked:
        paginator = Paginator(free_text_answers(question, segment), FREE_TEXT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "ecoute/free_text.html",
        {
            "consultation": consultation,
            "question": question,
            "is_text": question.kind in TEXT_KINDS,
            "page_obj": page,
            "segment": segment,
            "group": group,
            "masked": masked,
            "min_group_size": MIN_GROUP_SIZE,
        },
    )


@login_required
def answer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One written answer, for the consultation's team (to turn it into an idea) and for its
    respondent (to see what became of it); 404 for anyone else. Nothing on the page links the
    answer to its respondent: not their name, not their segment."""
    answer = get_object_or_404(
        Answer.objects.select_related("question", "questionnaire__consultation", "response"),
        pk=pk,
        questionnaire__consultation__isnull=False,
    )
    text = answer_text(answer)
    if not text.strip() or not answer_visible_to(request.user, answer):
        raise Http404
    consultation = answer.questionnaire.consultation
    return render(
        request,
        "ecoute/answer_detail.html",
        {
            "answer": answer,
            "text": text,
            "consultation": consultation,
            "is_team": request.user.has_perm("ecoute.manage_consultation", consultation),
        },
    )


@require_POST
@login_required
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise Http404
    job = services.export_request(
        questionnaire=consultation.questionnaire, by=request.user, fmt=form.cleaned_data["format"]
    )
    return redirect(job)


@require_POST
@login_required
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Relancer" a failed export: its requester, still a manager of the consultation, gets a
    fresh job."""
    job = _my_job(request, pk)
    managed_consultation(request, job.questionnaire.consultation.pk)
    try:
        job = services.export_retry(job=job, by=request.user)
    except services.AlreadyDone as exc:
        messages.warning(request, str(exc))
    return redirect(job)


def _my_job(request: HttpRequest, pk: int) -> ExportJob:
    """An export job, for its requester only: 404 for anyone else."""
    return get_object_or_404(
        ExportJob.objects.select_related("questionnaire__consultation"),
        pk=pk,
        requested_by=request.user,
    )


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _my_job(request, pk)
    context = {"job": job, "consultation": job.questionnaire.consultation}
    if request.htmx:
        return render(request, "ecoute/includes/export_progress.html", context)
    return render(request, "ecoute/export_detail.html", context)


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _my_job(request, pk)
    if job.status != ExportJob.Status.READY:
        raise Http404
    filename = export_filename(job.questionnaire, job.format, on=timezone.localdate(job.created_at))
    return download_response(job.file, filename=filename)
