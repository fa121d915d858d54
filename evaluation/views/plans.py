"""A project's evaluation plan: the plan page (questions, stakeholder groups, theory of change
drawn and listed, versions), its edit forms, and saving and reading versions.

Every view: anonymous → login page; citizens → 403 (`evaluation.read_project_evaluation`);
a project the user does not see → 404; an action the user may not do → 403.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from evaluation import (
    charts,
    permissions,  # noqa: F401  (registers the app's permissions)
)
from evaluation.forms.plans import (
    ChangeLinkForm,
    ChangeStepForm,
    PlanForm,
    QuestionForm,
    StakeholderGroupForm,
    VersionForm,
)
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    EvaluationPlan,
    EvaluativeQuestion,
    PlanVersion,
    StakeholderGroup,
)
from evaluation.services.plans import plan_get_or_create, plan_version_save
from projects.models import Project
from projects.services import AlreadyDone


@dataclass(frozen=True)
class FrozenStep:
    """A step of a frozen version, as the diagram reads it."""

    pk: int
    level: str
    label: str


@dataclass(frozen=True)
class FrozenLink:
    source_id: int
    target_id: int


def project_for(request: HttpRequest, code: str) -> Project:
    """The project, if the user may read evaluations (else 403) and sees it (else 404)."""
    if not request.user.has_perm("evaluation.read_project_evaluation"):
        raise PermissionDenied
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("lead", "pilot_caf"), code=code
    )


def visible_projects(request: HttpRequest):
    if not request.user.has_perm("evaluation.read_project_evaluation"):
        raise PermissionDenied
    return Project.objects.visible_to(request.user)


def require_plan_editor(request: HttpRequest, project: Project) -> None:
    if not request.user.has_perm("evaluation.change_plan", project):
        raise PermissionDenied


def plan_url(project: Project, anchor: str = "") -> str:
    url = reverse("evaluation:plan", kwargs={"code": project.code})
    return f"{url}#{anchor}" if anchor else url


def theory_of_change(plan: EvaluationPlan, steps, links) -> dict[str, Any]:
    """The diagram and, per level, its steps with their outgoing links (the list)."""
    levels = list(ChangeStep.Level.choices)
    diagram = charts.change_diagram("toc", _("Théorie du changement"), levels, steps, links)
    numbers = {id(link): n for n, link in enumerate(links, start=1)}
    outgoing: dict[int, list] = {}
    for link in links:
        outgoing.setdefault(link.source_id, []).append({"link": link, "number": numbers[id(link)]})
    columns = [
        {
            "value": value,
            "label": label,
            "steps": [
                {"step": s, "links": outgoing.get(s.pk, [])} for s in steps if s.level == value
            ],
        }
        for value, label in levels
    ]
    return {"diagram": diagram, "columns": columns}


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    plan = (
        EvaluationPlan.objects.filter(project=project)
        .select_related("updated_by")
        .annotate(n_indicators=Count("project__indicators", distinct=True))
        .first()
    )
    can_edit = request.user.has_perm("evaluation.change_plan", project)
    context: dict[str, Any] = {"project": project, "plan": plan, "can_edit": can_edit}
    if plan is not None:
        steps = list(plan.change_steps.order_by("level", "position", "pk"))
        links = list(
            ChangeLink.objects.filter(source__plan=plan)
            .select_related("source", "target")
            .order_by("source__position", "target__position", "pk")
        )
        context.update(
            groups=list(plan.stakeholder_groups.order_by("kind", "name")),
            questions=list(
                plan.questions.prefetch_related(
                    Prefetch("stakeholder_groups", StakeholderGroup.objects.order_by("name"))
                ).order_by("position", "pk")
            ),
            versions=list(plan.versions.select_related("created_by").order_by("-number")),
            version_form=VersionForm(initial={"version": plan.version}) if can_edit else None,
            **theory_of_change(plan, steps, links),
        )
    return render(request, "evaluation/plans/plan_detail.html", context)


@login_required
def plan_update(request: HttpRequest, code: str) -> HttpResponse:
    """Create the plan (the first time) or edit its text and evidence level."""
    project = project_for(request, code)
    require_plan_editor(request, project)
    plan = EvaluationPlan.objects.filter(project=project).first()
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        plan, _created = plan_get_or_create(project=project, by=request.user)
        for name, value in form.cleaned_data.items():
            setattr(plan, name, value)
        plan.updated_by = request.user
        plan.save()
        messages.success(request, _("Le plan d’évaluation est enregistré."))
        return redirect(plan_url(project))
    heading = _("Modifier le plan d’évaluation") if plan else _("Créer le plan d’évaluation")
    return render(
        request,
        "evaluation/plans/item_form.html",
        {"project": project, "form": form, "heading": heading, "back": plan_url(project)},
    )


# --- the plan's items: stakeholder groups, questions, steps and links --------------------------


@dataclass(frozen=True)
class ItemKind:
    model: type[models.Model]
    form_class: type
    plan_path: str  # from the item to its plan
    create_heading: Any
    update_heading: Any
    anchor: str
    saved: Any
    deleted: Any


ITEM_KINDS = {
    "group": ItemKind(
        StakeholderGroup,
        StakeholderGroupForm,
        "plan",
        gettext_lazy("Nouvelle partie prenante"),
        gettext_lazy("Modifier la partie prenante"),
        "parties-prenantes",
        gettext_lazy("La partie prenante est enregistrée."),
        gettext_lazy("La partie prenante est supprimée."),
    ),
    "question": ItemKind(
        EvaluativeQuestion,
        QuestionForm,
        "plan",
        gettext_lazy("Nouvelle question évaluative"),
        gettext_lazy("Modifier la question évaluative"),
        "questions",
        gettext_lazy("La question évaluative est enregistrée."),
        gettext_lazy("La question évaluative est supprimée."),
    ),
    "step": ItemKind(
        ChangeStep,
        ChangeStepForm,
        "plan",
        gettext_lazy("Nouvelle étape de la théorie du changement"),
        gettext_lazy("Modifier l’étape"),
        "theorie-du-changement",
        gettext_lazy("L’étape est enregistrée."),
        gettext_lazy("L’étape est supprimée, avec ses liens."),
    ),
    "link": ItemKind(
        ChangeLink,
        ChangeLinkForm,
        "source__plan",
        gettext_lazy("Nouveau lien de la théorie du changement"),
        gettext_lazy("Modifier le lien"),
        "theorie-du-changement",
        gettext_lazy("Le lien est enregistré."),
        gettext_lazy("Le lien est supprimé."),
    ),
}


def _plan_of(item: models.Model, kind: ItemKind) -> EvaluationPlan:
    return item.source.plan if kind.plan_path == "source__plan" else item.plan


def _editable_item(request: HttpRequest, kind: ItemKind, pk: int) -> models.Model:
    visible = visible_projects(request)
    item = get_object_or_404(
        kind.model.objects.filter(**{f"{kind.plan_path}__project__in": visible}).select_related(
            f"{kind.plan_path}__project"
        ),
        pk=pk,
    )
    require_plan_editor(request, _plan_of(item, kind).project)
    return item


def _item_form_page(request, *, kind: ItemKind, plan: EvaluationPlan, item=None) -> HttpResponse:
    form = kind.form_class(request.POST or None, instance=item, plan=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, str(kind.saved))
        return redirect(plan_url(plan.project, kind.anchor))
    return render(
        request,
        "evaluation/plans/item_form.html",
        {
            "project": plan.project,
            "form": form,
            "heading": kind.update_heading if item else kind.create_heading,
            "back": plan_url(plan.project, kind.anchor),
        },
    )


@login_required
def item_create(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    project = project_for(request, code)
    require_plan_editor(request, project)
    plan = EvaluationPlan.objects.filter(project=project).select_related("project").first()
    if plan is None:  # a GET never creates a row: the plan is created by its own form
        messages.info(request, _("Créez d’abord le plan d’évaluation."))
        return redirect("evaluation:plan-update", code=project.code)
    return _item_form_page(request, kind=ITEM_KINDS[kind], plan=plan)


@login_required
def item_update(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    item_kind = ITEM_KINDS[kind]
    item = _editable_item(request, item_kind, pk)
    return _item_form_page(request, kind=item_kind, plan=_plan_of(item, item_kind), item=item)


@require_POST
@login_required
def item_delete(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    item_kind = ITEM_KINDS[kind]
    item = _editable_item(request, item_kind, pk)
    project = _plan_of(item, item_kind).project
    item.delete()
    messages.success(request, str(item_kind.deleted))
    return redirect(plan_url(project, item_kind.anchor))


# --- versions ----------------------------------------------------------------------------------


@require_POST
@login_required
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    require_plan_editor(request, project)
    plan = get_object_or_404(EvaluationPlan, project=project)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("La version n’a pas pu être enregistrée : rechargez la page."))
        return redirect(plan_url(project, "versions"))
    try:
        version = plan_version_save(
            plan=plan,
            by=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except AlreadyDone as exc:
        messages.info(request, str(exc.args[0]))
        return redirect(plan_url(project, "versions"))
    messages.success(
        request,
        _(
            "La version %(number)s du plan est figée ; vous travaillez désormais sur la version "
            "%(next)s."
        )
        % {"number": version.number, "next": plan.version},
    )
    return redirect(plan_url(project, "versions"))


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A frozen version, read-only, drawn from its JSON content alone."""
    visible = visible_projects(request)
    version = get_object_or_404(
        PlanVersion.objects.filter(plan__project__in=visible).select_related(
            "plan__project", "created_by"
        ),
        pk=pk,
    )
    content = version.content

    steps = [FrozenStep(s["id"], s["level"], s["label"]) for s in content["change_steps"]]
    links = [FrozenLink(link["source"], link["target"]) for link in content["change_links"]]
    diagram = charts.change_diagram(
        "toc-version",
        _("Théorie du changement (version figée)"),
        list(ChangeStep.Level.choices),
        steps,
        links,
    )
    return render(
        request,
        "evaluation/plans/version_detail.html",
        {
            "version": version,
            "project": version.plan.project,
            "content": content,
            "diagram": diagram,
        },
    )
