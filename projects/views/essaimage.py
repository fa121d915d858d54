"""Essaimage: the deployments of a project across the network, each deployment's page, and the
map of the 101 Caf with its adoption curve."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from projects import caf_map, services
from projects.forms.essaimage import (
    AdaptationForm,
    DeploymentDeclareForm,
    DeploymentMoveForm,
    MapFilterForm,
)
from projects.models import Deployment, Project
from projects.services import AlreadyDone


class NetworkMapView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Where the network's innovations run: each Caf at the most advanced live status of its
    deployments (or one project's, chosen in the filter), and the adoption curve. A fixed
    number of queries, whatever the number of deployments."""

    permission_required = "projects.view_portfolio"
    template_name = "projects/network_map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        visible = Project.objects.visible_to(self.request.user)
        with_deployments = (
            visible.filter(Exists(Deployment.objects.filter(project=OuterRef("pk"))))
            .only("code", "title")
            .order_by("code")
        )
        form = MapFilterForm(self.request.GET or None, projects=with_deployments)
        project = form.cleaned_data["projet"] if form.is_valid() else None
        if project is not None:
            the_map = caf_map.project_map(project, table_open=True)
            scope = visible.filter(pk=project.pk)
        else:
            the_map = caf_map.network_map(visible)
            scope = visible
        curve = caf_map.adoption_curve(caf_map.first_months(scope))
        return super().get_context_data(
            form=form, project=project, map=the_map, curve=curve, **kwargs
        )


def _project_for(request: HttpRequest, code: str) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), code=code)


def _deployments_page(
    request: HttpRequest, project: Project, *, declare_form: DeploymentDeclareForm | None = None
) -> HttpResponse:
    user = request.user
    deployments = list(
        project.deployments.select_related("caf__region", "local_lead").order_by("caf__position")
    )
    can_declare = user.has_perm("projects.declare_deployment", project)
    own = next((d for d in deployments if d.caf_id == user.caf_id), None)
    if can_declare and declare_form is None and (user.is_lab_staff or own is None):
        declare_form = DeploymentDeclareForm(
            user=user,
            action=reverse("projects:deployment-declare", kwargs={"code": project.code}),
        )
    context = {
        "project": project,
        "deployments": deployments,
        "own_deployment": own,
        "declare_form": declare_form if can_declare else None,
        "map": caf_map.project_map(project, deployments=deployments),
    }
    return render(request, "projects/project_deployments.html", context)


class ProjectDeploymentsView(LoginRequiredMixin, View):
    """A project across the network: its map and the table of its deployments."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return _deployments_page(request, _project_for(request, code))


@require_POST
@login_required
def deployment_declare(request: HttpRequest, code: str) -> HttpResponse:
    """ "We want it in our Caf": always the user's own Caf (the lab may choose one)."""
    project = _project_for(request, code)
    if not request.user.has_perm("projects.declare_deployment", project):
        raise PermissionDenied
    form = DeploymentDeclareForm(request.POST, user=request.user)
    if not form.is_valid():
        return _deployments_page(request, project, declare_form=form)
    caf = form.chosen_caf()
    deployment, created = services.deployment_declare(
        project=project, caf=caf, by=request.user, comment=form.cleaned_data["comment"]
    )
    if not created:
        if caf.pk == request.user.caf_id:
            messages.info(request, _("Votre Caf a déjà déclaré son intérêt."))
        else:
            messages.info(request, _("Cette Caf a déjà déclaré son intérêt."))
        return redirect("projects:deployment", pk=deployment.pk)
    messages.success(
        request,
        _("L’intérêt de la %(caf)s pour %(code)s est enregistré ; l’équipe du projet est prévenue.")
        % {"caf": caf.name, "code": project.code},
    )
    return redirect("projects:deployment", pk=deployment.pk)


def _deployment_for(request: HttpRequest, pk: int) -> Deployment:
    """The deployment if its project is visible to the user (else 404)."""
    return get_object_or_404(
        Deployment.objects.filter(
            project__in=Project.objects.visible_to(request.user)
        ).select_related("project", "caf__region", "local_lead", "declared_by"),
        pk=pk,
    )


def _deployment_page(
    request: HttpRequest,
    deployment: Deployment,
    *,
    move_form: DeploymentMoveForm | None = None,
    adaptation_form: AdaptationForm | None = None,
) -> HttpResponse:
    can_change = request.user.has_perm("projects.change_deployment", deployment)
    if can_change:
        move_form = move_form or DeploymentMoveForm(
            deployment=deployment,
            action=reverse("projects:deployment-move", kwargs={"pk": deployment.pk}),
        )
        adaptation_form = adaptation_form or AdaptationForm(
            action=reverse("projects:adaptation-add", kwargs={"pk": deployment.pk})
        )
    context = {
        "deployment": deployment,
        "project": deployment.project,
        "changes": list(deployment.changes.select_related("changed_by").order_by("changed_at")),
        "adaptations": list(
            deployment.adaptations.select_related("author").order_by("-made_on", "-created_at")
        ),
        "move_form": move_form if can_change else None,
        "adaptation_form": adaptation_form if can_change else None,
    }
    return render(request, "projects/deployment_detail.html", context)


class DeploymentDetailView(LoginRequiredMixin, View):
    """One project in one Caf: status history, adaptation log, and the forms of those who run
    it (the Caf's correspondents, the project lead, the lab)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _deployment_page(request, _deployment_for(request, pk))


def _changeable_deployment(request: HttpRequest, pk: int) -> Deployment:
    deployment = _deployment_for(request, pk)
    if not request.user.has_perm("projects.change_deployment", deployment):
        raise PermissionDenied
    return deployment


@require_POST
@login_required
def deployment_move(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = _changeable_deployment(request, pk)
    form = DeploymentMoveForm(
        request.POST,
        deployment=deployment,
        action=reverse("projects:deployment-move", kwargs={"pk": pk}),
    )
    if form.is_valid():
        try:
            moved = services.deployment_move(
                deployment=deployment,
                by=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
            return redirect("projects:deployment", pk=pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Statut du déploiement : %(status)s.") % {"status": moved.get_status_display()},
            )
            return redirect("projects:deployment", pk=pk)
    return _deployment_page(request, deployment, move_form=form)


@require_POST
@login_required
def adaptation_add(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = _changeable_deployment(request, pk)
    form = AdaptationForm(
        request.POST, action=reverse("projects:adaptation-add", kwargs={"pk": pk})
    )
    if not form.is_valid():
        return _deployment_page(request, deployment, adaptation_form=form)
    services.adaptation_add(deployment=deployment, by=request.user, **form.cleaned_data)
    messages.success(request, _("L’adaptation est ajoutée au journal."))
    return redirect("projects:deployment", pk=pk)
