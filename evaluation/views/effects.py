"""The effects register of a project: the list, recording an effect, an effect's page with its
history and the status change (a reason each time, the owner told)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.forms.participation import EffectForm, EffectTransitionForm
from evaluation.models import Effect
from evaluation.services import effects as services
from evaluation.views.participation import _can_edit, _form_page, project_for
from projects.services import AlreadyDone


@login_required
def effects(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    rows = list(
        Effect.objects.filter(project=project)
        .select_related("owner", "caf")
        .annotate(n_changes=Count("changes"))
        .order_by("status", "-severity", "-created_at")
    )
    return render(
        request,
        "evaluation/participation/effect_list.html",
        {
            "project": project,
            "effects": rows,
            "blocking": [e for e in rows if e.is_blocking],
            "can_edit": _can_edit(request, project),
        },
    )


@login_required
def effect_create(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code, edit=True)
    form = EffectForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        effect = services.effect_record(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("L’effet est inscrit au registre."))
        return redirect("evaluation:effect-detail", pk=effect.pk)
    return _form_page(request, project, form, _("Signaler un effet négatif ou inattendu"))


def _effect_for(request: HttpRequest, pk: int, *, edit: bool = False) -> Effect:
    effect = get_object_or_404(
        Effect.objects.select_related("project", "owner", "caf", "recorded_by"), pk=pk
    )
    effect.project = project_for(request, effect.project.code, edit=edit)
    return effect


def _effect_page(request: HttpRequest, effect: Effect, form=None, status: int = 200):
    can_edit = _can_edit(request, effect.project)
    if can_edit and form is None and effect.next_statuses:
        form = EffectTransitionForm(
            effect=effect,
            action=reverse("evaluation:effect-transition", kwargs={"pk": effect.pk}),
        )
    return render(
        request,
        "evaluation/participation/effect_detail.html",
        {
            "project": effect.project,
            "effect": effect,
            "changes": effect.changes.select_related("changed_by").order_by("changed_at", "pk"),
            "form": form if can_edit else None,
        },
        status=status,
    )


@login_required
def effect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _effect_page(request, _effect_for(request, pk))


@require_POST
@login_required
def effect_transition(request: HttpRequest, pk: int) -> HttpResponse:
    effect = _effect_for(request, pk, edit=True)
    form = EffectTransitionForm(
        request.POST,
        effect=effect,
        action=reverse("evaluation:effect-transition", kwargs={"pk": effect.pk}),
    )
    if not form.is_valid():
        if request.POST.get("to_status") == effect.status:  # a double click
            messages.info(request, _("L’effet a déjà ce statut."))
            return redirect("evaluation:effect-detail", pk=effect.pk)
        return _effect_page(request, effect, form, status=400)
    try:
        effect = services.effect_transition(
            effect=effect,
            to_status=form.cleaned_data["to_status"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as refused:
        form.add_error(None, refused.messages[0])
        return _effect_page(request, effect, form, status=400)
    else:
        messages.success(
            request,
            _("Statut changé : %(s)s.") % {"s": effect.get_status_display()},
        )
    return redirect("evaluation:effect-detail", pk=effect.pk)
