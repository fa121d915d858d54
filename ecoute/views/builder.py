"""The questionnaire builder: sections and questions, their order, visibility and options.
Plain forms and POST buttons (no JavaScript needed); every change goes through
`ecoute.services.builder`, whose refusals come back as messages or form errors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecoute import services
from ecoute.forms.builder import KindForm, QuestionForm, SectionForm, option_formset
from ecoute.models import CHOICE_KINDS, Option, Question
from ecoute.services.builder import has_answers
from ecoute.views.common import managed_consultation, managed_question, managed_section


def _builder_url(consultation_pk: int, anchor: str = "") -> str:
    url = reverse("ecoute:builder", kwargs={"pk": consultation_pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    questionnaire = consultation.questionnaire
    questions = Prefetch(
        "questions",
        queryset=Question.objects.select_related("condition_question", "condition_option")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "pk")))
        .order_by("position", "pk"),
    )
    sections = list(questionnaire.sections.prefetch_related(questions))
    number = 0
    for section in sections:
        for question in section.questions.all():
            number += 1
            question.number = number
    return render(
        request,
        "ecoute/builder.html",
        {
            "consultation": consultation,
            "questionnaire": questionnaire,
            "sections": sections,
            "frozen": has_answers(questionnaire),
        },
    )


# --- sections ----------------------------------------------------------------------------------


@login_required
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        section = services.section_add(
            questionnaire=consultation.questionnaire, **form.cleaned_data
        )
        messages.success(request, _("La section « %(t)s » est ajoutée.") % {"t": section.title})
        return redirect(_builder_url(consultation.pk, f"section-{section.pk}"))
    return render(request, "ecoute/section_form.html", {"consultation": consultation, "form": form})


@login_required
def section_update(request: HttpRequest, pk: int) -> HttpResponse:
    section = managed_section(request, pk)
    consultation = section.questionnaire.consultation
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("La section est enregistrée."))
        return redirect(_builder_url(consultation.pk, f"section-{section.pk}"))
    return render(
        request,
        "ecoute/section_form.html",
        {"consultation": consultation, "form": form, "section": section},
    )


def _section_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    section = managed_section(request, pk)
    consultation_pk = section.questionnaire.consultation.pk
    try:
        action(section)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, success)
    return redirect(_builder_url(consultation_pk, f"section-{section.pk}"))


@require_POST
@login_required
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _section_action(
        request,
        pk,
        lambda s: services.section_move(section=s, direction=direction),
        _("La section est déplacée."),
    )


@require_POST
@login_required
def section_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    return _section_action(
        request,
        pk,
        lambda s: services.section_toggle(section=s),
        _("La visibilité de la section est modifiée."),
    )


@require_POST
@login_required
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    section = managed_section(request, pk)
    consultation_pk = section.questionnaire.consultation.pk
    try:
        services.section_delete(section=section)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, _("La section est supprimée."))
    return redirect(_builder_url(consultation_pk))


# --- questions ---------------------------------------------------------------------------------


def _question_page(
    request: HttpRequest, question: Question, *, consultation: Any, creating: bool
) -> HttpResponse:
    questionnaire = consultation.questionnaire
    frozen = not creating and has_answers(questionnaire)
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, questionnaire=questionnaire, frozen=frozen)
    formset = option_formset(question, data=data, frozen=frozen)
    shows_options = form.kind in CHOICE_KINDS
    if data is not None and form.is_valid() and (not shows_options or formset.is_valid()):
        question = form.save(commit=False)
        try:
            services.question_save(
                question=question, options=formset.specs() if shows_options else None
            )
        except ValidationError as refused:
            _errors_to_form(form, refused)
        else:
            messages.success(request, _("La question est enregistrée."))
            return redirect(_builder_url(consultation.pk, f"question-{question.pk}"))
    return render(
        request,
        "ecoute/question_form.html",
        {
            "consultation": consultation,
            "form": form,
            "formset": formset if shows_options else None,
            "question": question if not creating else None,
            "kind_label": Question.Kind(form.kind).label,
            "frozen": frozen,
        },
    )


def _errors_to_form(form: QuestionForm, refused: ValidationError) -> None:
    if hasattr(refused, "error_dict"):
        for field, errors in refused.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in refused.messages:
            form.add_error(None, message)


@login_required
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one: the kind (?type=…); step two: the question's form for that kind."""
    section = managed_section(request, pk)
    consultation = section.questionnaire.consultation
    kind = request.GET.get("type") or request.POST.get("kind")
    if kind not in Question.Kind.values:
        return render(
            request,
            "ecoute/question_kind.html",
            {
                "consultation": consultation,
                "section": section,
                "form": KindForm(request.GET if "type" in request.GET else None),
            },
        )
    question = Question(questionnaire=section.questionnaire, section=section, kind=kind)
    if kind == Question.Kind.SCALE:
        question.scale_min, question.scale_max = 1, 5
    return _question_page(request, question, consultation=consultation, creating=True)


@login_required
def question_update(request: HttpRequest, pk: int) -> HttpResponse:
    question = managed_question(request, pk)
    return _question_page(
        request, question, consultation=question.questionnaire.consultation, creating=False
    )


def _question_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    question = managed_question(request, pk)
    consultation_pk = question.questionnaire.consultation.pk
    try:
        action(question)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, success)
    return redirect(_builder_url(consultation_pk, f"question-{question.pk}"))


@require_POST
@login_required
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _question_action(
        request,
        pk,
        lambda q: services.question_move(question=q, direction=direction),
        _("La question est déplacée."),
    )


@require_POST
@login_required
def question_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_action(
        request,
        pk,
        lambda q: services.question_toggle(question=q),
        _("La visibilité de la question est modifiée."),
    )


@require_POST
@login_required
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = managed_question(request, pk)
    consultation_pk = question.questionnaire.consultation.pk
    try:
        services.question_delete(question=question)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect(_builder_url(consultation_pk, f"question-{question.pk}"))
    messages.success(request, _("La question est supprimée."))
    return redirect(_builder_url(consultation_pk, f"section-{question.section_id}"))
