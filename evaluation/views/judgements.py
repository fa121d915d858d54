"""Judgements per criterion (argued, linked to evidence) and the ecological-transition
assessment (seven objectives in one form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from evaluation.forms.judgements import EcologicalAssessmentForm, JudgementForm
from evaluation.models import Criterion, EcologicalRating, Judgement
from evaluation.services.judgements import ecological_assessment_save, judgement_save
from evaluation.views.participation import _can_edit, _form_page, project_for


@login_required
def judgements(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    existing = {
        j.criterion: j
        for j in Judgement.objects.filter(project=project)
        .select_related("judged_by")
        .prefetch_related("indicators", "testimonies", "surveys")
    }
    rows = [(value, label, existing.get(value)) for value, label in Criterion.choices]
    ratings = {r.objective: r for r in EcologicalRating.objects.filter(project=project)}
    ecological = [
        (label, ratings.get(value)) for value, label in EcologicalRating.Objective.choices
    ]
    return render(
        request,
        "evaluation/participation/judgements.html",
        {
            "project": project,
            "rows": rows,
            "ecological": ecological,
            "has_ecological": bool(ratings),
            "can_edit": _can_edit(request, project),
        },
    )


@login_required
def judgement_edit(request: HttpRequest, code: str, criterion: str) -> HttpResponse:
    project = project_for(request, code, edit=True)
    if criterion not in Criterion.values:
        raise Http404
    instance = Judgement.objects.filter(project=project, criterion=criterion).first()
    form = JudgementForm(
        request.POST or None,
        instance=instance or Judgement(project=project, criterion=criterion),
        project=project,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            judgement_save(
                project=project,
                criterion=criterion,
                rating=data["rating"],
                rationale=data["rationale"],
                evidence=data["evidence"],
                indicators=data["indicators"],
                testimonies=data["testimonies"],
                surveys=data["surveys"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused.messages[0])
        else:
            messages.success(request, _("Le jugement est enregistré."))
            return redirect("evaluation:judgements", code=project.code)
    return _form_page(
        request,
        project,
        form,
        _("Jugement : %(c)s") % {"c": Criterion(criterion).label},
    )


@login_required
def ecological_edit(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code, edit=True)
    existing = {r.objective: r for r in EcologicalRating.objects.filter(project=project)}
    form = EcologicalAssessmentForm(request.POST or None, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            ecological_assessment_save(project=project, ratings=form.ratings(), by=request.user)
        except ValidationError as refused:
            form.add_error(None, refused.messages[0])
        else:
            messages.success(request, _("L’évaluation écologique est enregistrée."))
            return redirect("evaluation:judgements", code=project.code)
    return _form_page(
        request,
        project,
        form,
        _("Évaluation de la transition écologique"),
        intro=_(
            "Pour chacun des sept objectifs, dites si le projet lui est défavorable, neutre ou "
            "favorable, et justifiez."
        ),
        wide=True,
    )
