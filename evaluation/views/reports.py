"""Impact reports (request, progress, HTML, PDF, publication), the portfolio report, and the
recommendations with their management responses.

Who: hidden projects and reports answer 404 (`visible_to` scopes), refused actions 403, citizens
403 everywhere here.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core.uploads import download_response, pick_kinds
from evaluation import permissions  # noqa: F401  (registers the app's permissions)
from evaluation.forms.reports import ManagementResponseForm, RecommendationForm
from evaluation.models import ImpactReport, ManagementResponse, Recommendation
from evaluation.services import reports as services
from projects.models import Project
from projects.services import AlreadyDone

PDF = pick_kinds("pdf")
LIST_SIZE = 20


def _refuse_citizens(request: HttpRequest) -> None:
    if request.user.is_citizen:
        raise PermissionDenied


def _project_for(
    request: HttpRequest, code: str, perm: str | None = None, *, with_plan: bool = False
) -> Project:
    """The project if the user sees it (else 404) and may do `perm` on it (else 403);
    `with_plan` reads its evaluation plan in the same query."""
    _refuse_citizens(request)
    related = ("lead", "evaluation_plan") if with_plan else ("lead",)
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related(*related), code=code
    )
    if perm and not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def _report_for(request: HttpRequest, pk: int) -> ImpactReport:
    _refuse_citizens(request)
    return get_object_or_404(
        ImpactReport.objects.visible_to(request.user).select_related("project", "requested_by"),
        pk=pk,
    )


# --- impact reports -------------------------------------------------------------------------


@require_POST
@login_required
def report_create(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_for(request, code, "evaluation.request_report")
    try:
        report = services.report_request(project=project, by=request.user)
    except services.NoEvaluationPlan as exc:
        # The report list says so again, with the link that creates the plan.
        messages.warning(request, str(exc))
        return redirect("evaluation:report-list", code=project.code)
    _say_requested(request, report)
    return redirect(report)


@require_POST
@login_required
def portfolio_report_create(request: HttpRequest) -> HttpResponse:
    _refuse_citizens(request)
    if not request.user.has_perm("evaluation.request_portfolio_report"):
        raise PermissionDenied
    report = services.portfolio_report_request(by=request.user)
    _say_requested(request, report)
    return redirect(report)


def _say_requested(request: HttpRequest, report: ImpactReport) -> None:
    report.refresh_from_db(fields=["status"])  # built already when tasks run in-process
    if report.status == ImpactReport.Status.READY:
        messages.success(request, _("Votre rapport est prêt."))
    else:
        messages.success(
            request, _("Votre rapport est en préparation. Vous serez prévenu quand il sera prêt.")
        )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    context = {
        "report": report,
        "can_publish": request.user.has_perm("evaluation.publish_report", report),
        "can_retry": report.status == ImpactReport.Status.FAILED and _may_request(request, report),
    }
    if request.htmx:
        response = render(request, "evaluation/reports/includes/report_progress.html", context)
        if report.is_finished:  # show the finished report: the whole page reloads once
            response["HX-Refresh"] = "true"
        return response
    return render(request, "evaluation/reports/report_detail.html", context)


def _may_request(request: HttpRequest, report: ImpactReport) -> bool:
    """Whether the user may ask for this report's scope again (as when first requesting it)."""
    if report.scope == ImpactReport.Scope.PORTFOLIO:
        return request.user.has_perm("evaluation.request_portfolio_report")
    return request.user.has_perm("evaluation.request_report", report.project)


@require_POST
@login_required
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Relancer" a failed report: a fresh one of the same scope, for whoever may request it."""
    report = _report_for(request, pk)
    if report.project_id:
        _project_for(request, report.project.code)  # still visible to them, else 404
    if not _may_request(request, report):
        raise PermissionDenied
    try:
        report = services.report_retry(report=report, by=request.user)
    except AlreadyDone as exc:
        messages.warning(request, str(exc))
        return redirect(report)
    _say_requested(request, report)
    return redirect(report)


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _report_for(request, pk)
    if report.status != ImpactReport.Status.READY:
        raise Http404
    code = report.project.code if report.project_id else "portefeuille"
    day = timezone.localdate(report.created_at).isoformat()
    return download_response(report.pdf, filename=f"rapport-impact-{code}-{day}.pdf", kinds=PDF)


@require_POST
@login_required
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    if not request.user.has_perm("evaluation.publish_report", report):
        raise PermissionDenied
    publish = request.POST.get("action") != "unpublish"
    try:
        services.report_publish(report=report, publish=publish)
    except AlreadyDone as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            _("Le rapport est publié : les agents du réseau peuvent le lire.")
            if publish
            else _("Le rapport n’est plus publié."),
        )
    return redirect(report)


@login_required
def report_list(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_for(request, code, with_plan=True)
    reports = (
        ImpactReport.objects.visible_to(request.user)
        .filter(project=project)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )
    return render(
        request,
        "evaluation/reports/report_list.html",
        {
            "project": project,
            "reports": reports,
            "can_request": request.user.has_perm("evaluation.request_report", project),
            "has_plan": hasattr(project, "evaluation_plan"),  # read with the project
            "can_create_plan": request.user.has_perm("evaluation.change_plan", project),
        },
    )


# --- recommendations and management responses -----------------------------------------------


@login_required
def recommendations(request: HttpRequest, code: str) -> HttpResponse:
    """The project's recommendations with their responses; the team adds them here."""
    project = _project_for(request, code)
    can_change = request.user.has_perm("evaluation.change_recommendations", project)
    form = RecommendationForm()
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = RecommendationForm(request.POST)
        if form.is_valid():
            services.recommendation_add(project=project, by=request.user, **form.cleaned_data)
            messages.success(request, _("La recommandation est ajoutée."))
            return redirect("evaluation:recommendations", code=project.code)
    rows = (
        Recommendation.objects.filter(project=project)
        .select_related("response__owner")
        .order_by("position", "pk")
    )
    return render(
        request,
        "evaluation/reports/recommendations.html",
        {"project": project, "recommendations": rows, "can_change": can_change, "form": form},
    )


def _recommendation_for(request: HttpRequest, pk: int) -> Recommendation:
    _refuse_citizens(request)
    recommendation = get_object_or_404(
        Recommendation.objects.filter(
            project__in=Project.objects.visible_to(request.user).values("pk")
        ).select_related("project__lead"),
        pk=pk,
    )
    if not request.user.has_perm("evaluation.change_recommendations", recommendation.project):
        raise PermissionDenied
    return recommendation


@login_required
def recommendation_update(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = _recommendation_for(request, pk)
    form = RecommendationForm(
        request.POST or None,
        instance=recommendation,
        submit_label=_("Enregistrer la recommandation"),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("La recommandation est enregistrée."))
        return redirect("evaluation:recommendations", code=recommendation.project.code)
    return _form_page(
        request, recommendation.project, form, heading=_("Modifier la recommandation")
    )


@login_required
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = _recommendation_for(request, pk)
    instance = ManagementResponse.objects.filter(recommendation=recommendation).first()
    form = ManagementResponseForm(
        request.POST or None,
        instance=instance or ManagementResponse(recommendation=recommendation),
        project=recommendation.project,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.response_save(recommendation=recommendation, by=request.user, **fields)
        except AlreadyDone as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, _("La réponse de la direction est enregistrée."))
        return redirect("evaluation:recommendations", code=recommendation.project.code)
    return _form_page(
        request,
        recommendation.project,
        form,
        heading=_("Réponse de la direction"),
        intro=recommendation.text,
    )


def _form_page(
    request: HttpRequest, project: Project, form: Any, *, heading: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "evaluation/reports/recommendation_form.html",
        {
            "project": project,
            "form": form,
            "heading": heading,
            "intro": intro,
            "back_url": reverse("evaluation:recommendations", kwargs={"code": project.code}),
        },
    )
