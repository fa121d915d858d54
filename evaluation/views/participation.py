"""Participation pages: stakeholder surveys (built with écoute's builder forms and services,
answered through single-use invitations, compared wave to wave) and testimonies.

Who: network members and the project's partners read; the lead, the team and the lab edit;
citizens get 403; a project the user cannot see is 404. The answering page needs no account:
the invitation's token is the key.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ecoute.forms.answering import SectionAnswerForm
from ecoute.forms.builder import KindForm, QuestionForm, option_formset
from ecoute.models import CHOICE_KINDS, Option, Question
from ecoute.plan import Plan, Step
from ecoute.services import (
    AlreadyAnswered,
    IncompleteAnswers,
    question_delete,
    question_save,
    question_toggle,
)
from ecoute.services.builder import has_answers
from evaluation import permissions  # noqa: F401  (registers the app's rules)
from evaluation.forms.participation import (
    InvitationForm,
    SurveyForm,
    TestimonyForm,
    WaveForm,
)
from evaluation.models import Survey, SurveyWave, Testimony
from evaluation.services import participation as services
from projects.models import Project


# --- lookups: visible (else 404), then allowed (else 403) ----------------------------------
def project_for(request: HttpRequest, code: str, *, edit: bool = False) -> Project:
    user = request.user
    if not user.has_perm("evaluation.view_participation"):
        raise PermissionDenied
    project = get_object_or_404(Project.objects.visible_to(user).select_related("lead"), code=code)
    if edit and not user.has_perm("evaluation.change_participation", project):
        raise PermissionDenied
    return project


def survey_for(request: HttpRequest, pk: int, *, edit: bool = False) -> Survey:
    survey = get_object_or_404(
        Survey.objects.select_related("project", "questionnaire", "stakeholder_group"), pk=pk
    )
    survey.project = project_for(request, survey.project.code, edit=edit)
    return survey


def _can_edit(request: HttpRequest, project: Project) -> bool:
    return request.user.has_perm("evaluation.change_participation", project)


def _form_page(request: HttpRequest, project: Project, form: Any, heading: str, **extra: Any):
    return render(
        request,
        "evaluation/participation/form.html",
        {"project": project, "form": form, "heading": heading, **extra},
    )


# --- surveys -----------------------------------------------------------------------------------
@login_required
def surveys(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    rows = (
        Survey.objects.filter(project=project)
        .select_related("stakeholder_group")
        .annotate(
            n_waves=Count("waves", distinct=True),
            n_answers=Count("waves__response_links", distinct=True),
        )
        .order_by("-created_at")
    )
    return render(
        request,
        "evaluation/participation/survey_list.html",
        {"project": project, "surveys": rows, "can_edit": _can_edit(request, project)},
    )


@login_required
def survey_create(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code, edit=True)
    form = SurveyForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(
            project=project,
            title=form.cleaned_data["title"],
            stakeholder_group=form.cleaned_data["stakeholder_group"],
            intro=form.cleaned_data["intro"],
            by=request.user,
        )
        messages.success(request, _("L’enquête est créée : ajoutez ses questions."))
        return redirect("evaluation:survey-detail", pk=survey.pk)
    return _form_page(request, project, form, _("Nouvelle enquête auprès des parties prenantes"))


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_for(request, pk)
    questions = list(
        Question.objects.filter(questionnaire=survey.questionnaire)
        .select_related("section")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "pk")))
        .order_by("section__position", "position", "pk")
    )
    waves = survey.waves.annotate(
        n_invited=Count("invitations", distinct=True),
        n_sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
        n_used=Count("invitations", filter=Q(invitations__used_at__isnull=False), distinct=True),
        n_answers=Count("response_links", distinct=True),
    )
    return render(
        request,
        "evaluation/participation/survey_detail.html",
        {
            "project": survey.project,
            "survey": survey,
            "questions": questions,
            "section": survey.questionnaire.sections.order_by("position", "pk").first(),
            "waves": waves,
            "frozen": has_answers(survey.questionnaire),
            "can_edit": _can_edit(request, survey.project),
        },
    )


def _question_page(
    request: HttpRequest, survey: Survey, question: Question, *, creating: bool
) -> HttpResponse:
    """The écoute builder's question form, for a survey's questionnaire."""
    questionnaire = survey.questionnaire
    frozen = not creating and has_answers(questionnaire)
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, questionnaire=questionnaire, frozen=frozen)
    formset = option_formset(question, data=data, frozen=frozen)
    shows_options = form.kind in CHOICE_KINDS
    if data is not None and form.is_valid() and (not shows_options or formset.is_valid()):
        question = form.save(commit=False)
        try:
            question_save(question=question, options=formset.specs() if shows_options else None)
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                for name, errors in refused.error_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                for message in refused.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("La question est enregistrée."))
            return redirect("evaluation:survey-detail", pk=survey.pk)
    return render(
        request,
        "evaluation/participation/question_form.html",
        {
            "project": survey.project,
            "survey": survey,
            "form": form,
            "formset": formset if shows_options else None,
            "question": None if creating else question,
            "kind_label": Question.Kind(form.kind).label,
            "frozen": frozen,
        },
    )


@login_required
def survey_question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one: the kind (?type=…); step two: the question's form for that kind."""
    survey = survey_for(request, pk, edit=True)
    section = survey.questionnaire.sections.order_by("position", "pk").first()
    kind = request.GET.get("type") or request.POST.get("kind")
    if kind not in Question.Kind.values:
        return render(
            request,
            "evaluation/participation/question_kind.html",
            {
                "project": survey.project,
                "survey": survey,
                "form": KindForm(request.GET if "type" in request.GET else None),
            },
        )
    question = Question(questionnaire=survey.questionnaire, section=section, kind=kind)
    if kind == Question.Kind.SCALE:
        question.scale_min, question.scale_max = 1, 5
    return _question_page(request, survey, question, creating=True)


@login_required
def survey_question_update(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = survey_for(request, pk, edit=True)
    question = get_object_or_404(
        Question.objects.select_related("section"),
        questionnaire=survey.questionnaire,
        pk=question_pk,
    )
    return _question_page(request, survey, question, creating=False)


def _survey_question_action(request: HttpRequest, pk: int, question_pk: int, action, success):
    survey = survey_for(request, pk, edit=True)
    question = get_object_or_404(
        Question.objects.select_related("section", "questionnaire"),
        questionnaire=survey.questionnaire,
        pk=question_pk,
    )
    try:
        action(question)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, success)
    return redirect("evaluation:survey-detail", pk=survey.pk)


@require_POST
@login_required
def survey_question_toggle(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Hide a question (its answers stay in the results) or show it again."""
    return _survey_question_action(
        request,
        pk,
        question_pk,
        lambda q: question_toggle(question=q),
        _("La visibilité de la question est modifiée."),
    )


@require_POST
@login_required
def survey_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Delete a question, before any answer (écoute's rule: hide it afterwards)."""
    return _survey_question_action(
        request,
        pk,
        question_pk,
        lambda q: question_delete(question=q),
        _("La question est supprimée."),
    )


@login_required
def wave_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_for(request, pk, edit=True)
    form = WaveForm(request.POST or None, instance=SurveyWave(survey=survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_add(survey=survey, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("La vague est ouverte : invitez les répondants."))
            return redirect("evaluation:survey-detail", pk=survey.pk)
    return _form_page(
        request,
        survey.project,
        form,
        _("Nouvelle vague de l’enquête « %(t)s »") % {"t": survey.title},
        survey=survey,
        intro=_(
            "Chaque vague pose exactement les mêmes questions : les réponses « avant » et "
            "« après » se comparent question par question."
        ),
    )


@login_required
def wave_invite(request: HttpRequest, pk: int) -> HttpResponse:
    wave = get_object_or_404(SurveyWave.objects.select_related("survey"), pk=pk)
    survey = survey_for(request, wave.survey_id, edit=True)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invitations_create(
                wave=wave, emails=form.cleaned_data["emails"], by=request.user
            )
        except ValidationError as refused:
            form.add_error("emails", refused.messages[0])
        else:
            messages.success(
                request,
                _("%(n)s invitation(s) envoyée(s).") % {"n": len(created)},
            )
            return redirect("evaluation:survey-detail", pk=survey.pk)
    return _form_page(
        request,
        survey.project,
        form,
        _("Inviter à répondre : %(wave)s") % {"wave": wave},
        survey=survey,
        intro=_(
            "Chaque personne reçoit par courriel un lien personnel, utilisable une seule fois, "
            "pour répondre sans compte. Sa réponse n’est liée ni à son adresse, ni à "
            "l’invitation ; l’adresse est effacée dès la réponse."
        ),
    )


@login_required
def survey_compare(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_for(request, pk)
    waves, compared = services.waves_compare(survey)
    return render(
        request,
        "evaluation/participation/survey_compare.html",
        {
            "project": survey.project,
            "survey": survey,
            "waves": waves,
            "compared": compared,
            "min_group": services.MIN_GROUP_SIZE,
        },
    )


# --- answering through an invitation (no account) ----------------------------------------------
def _single_step(plan: Plan) -> Step | None:
    """A survey answers on one page: every visible question in questionnaire order."""
    if not plan.questions:
        return None
    return Step(1, plan.sections[0], list(plan.questions))


@never_cache
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "evaluation/participation/answer_refused.html",
            {"reason": "invalid"},
            status=404,
        )
    if invitation.used_at is not None:
        return render(request, "evaluation/participation/answer_refused.html", {"reason": "used"})
    wave = invitation.wave
    survey = wave.survey
    if not wave.is_open:
        return render(
            request,
            "evaluation/participation/answer_refused.html",
            {"reason": "closed", "wave": wave},
        )
    plan = Plan(survey.questionnaire)
    step = _single_step(plan)
    if step is None:
        return render(request, "evaluation/participation/answer_refused.html", {"reason": "empty"})
    data = request.POST if request.method == "POST" else None
    form = SectionAnswerForm(data, plan=plan, step=step, draft={})
    error = ""
    if data is not None and form.is_valid():
        try:
            services.survey_answer(token=token, answers=form.answers, plan=plan)
        except AlreadyAnswered:
            return render(
                request, "evaluation/participation/answer_refused.html", {"reason": "used"}
            )
        except IncompleteAnswers as incomplete:
            error = _("La question « %(q)s » est obligatoire : merci d’y répondre.") % {
                "q": incomplete.missing[0].label
            }
        except (services.InvalidInvitation, services.WaveClosed) as refused:
            error = str(refused)
        else:
            return redirect("evaluation:survey-thanks")
    return render(
        request,
        "evaluation/participation/answer.html",
        {"survey": survey, "questionnaire": survey.questionnaire, "form": form, "error": error},
        status=400 if error else 200,
    )


def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/participation/answer_thanks.html")


# --- testimonies -------------------------------------------------------------------------------
# A project collecting testimonies for years must not print them all on one page.
TESTIMONIES_PER_PAGE = 30


@login_required
def testimonies(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code)
    rows = (
        Testimony.objects.filter(project=project)
        .select_related("stakeholder_group", "caf", "collected_by")
        .order_by("-collected_on", "-pk")
    )
    page = Paginator(rows, TESTIMONIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/participation/testimony_list.html",
        {
            "project": project,
            "testimonies": page,
            "page_obj": page,
            "can_edit": _can_edit(request, project),
        },
    )


@login_required
def testimony_create(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request, code, edit=True)
    form = TestimonyForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        services.testimony_add(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, _("Le témoignage est enregistré."))
        return redirect("evaluation:testimonies", code=project.code)
    return _form_page(
        request,
        project,
        form,
        _("Nouveau témoignage"),
        intro=_(
            "Sans l’accord explicite de la personne pour être citée, le témoignage n’apparaît "
            "dans aucun rapport."
        ),
    )


def survey_url(survey: Survey) -> str:
    return reverse("evaluation:survey-detail", kwargs={"pk": survey.pk})
