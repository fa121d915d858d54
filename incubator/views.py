"""Pages of the incubator: the catalogue of calls for projects, a call's page, the lab's forms
and moves, applying (draft, then submitted once), "mes candidatures", an application's page,
the jury's scores and ranking, the lab's decision, and the cohorts with their calendar.

Deny by default: anonymous → login page; a call, an application or a cohort the person does
not see → 404 (`visible_to`); an action the rules refuse → 403. The services' refusals (closed,
already submitted, already decided) reach the person as a message (RefusalMiddleware)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core.errors import DomainError
from ecoute.conditions import AnswerValue
from ecoute.models import Question
from ecoute.plan import Plan
from ecoute.services.answering import IncompleteAnswers
from incubator import services
from incubator.forms import (
    AnswersForm,
    ApplicationForm,
    ApplicationScoreForm,
    CallForm,
    CohortForm,
    CriterionFormSet,
    DecisionForm,
    MilestoneForm,
)
from incubator.models import (
    Application,
    ApplicationScore,
    Call,
    CallCriterion,
    Cohort,
    Milestone,
)
from projects.models import TeamMember
from projects.scoring import rounded_mean


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def call_for(request: HttpRequest, slug: str, perm: str | None = None) -> Call:
    call = get_object_or_404(Call.objects.visible_to(request.user), slug=slug)
    if perm:
        require(request, perm, call)
    return call


def application_for(request: HttpRequest, pk: int, perm: str | None = None) -> Application:
    queryset = Application.objects.visible_to(request.user).select_related(
        "call__consultation__questionnaire", "applicant", "partner", "project", "cohort"
    )
    application = get_object_or_404(queryset, pk=pk)
    if perm:
        require(request, perm, application)
    return application


def signed_in_viewer(request: HttpRequest) -> None:
    require(request, "incubator.view")


# --- the catalogue, a call -----------------------------------------------------------------


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    signed_in_viewer(request)
    calls = list(
        Call.objects.visible_to(request.user)
        .annotate(
            n_submitted=Count(
                "applications", filter=Q(applications__status=Application.Status.SUBMITTED)
            )
        )
        .order_by("-opens_on", "-pk")[:100]
    )
    today = timezone.localdate()
    return render(
        request,
        "incubator/call_list.html",
        {
            "open_calls": [c for c in calls if c.is_accepting(today)],
            "other_calls": [c for c in calls if not c.is_accepting(today)],
            "may_manage": request.user.has_perm("incubator.manage"),
        },
    )


@login_required
def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for(request, slug)
    user = request.user
    mine = Application.objects.filter(call=call, applicant=user).first()
    may_manage = user.has_perm("incubator.manage")
    context: dict[str, Any] = {
        "call": call,
        "mine": mine,
        "may_apply": user.has_perm("incubator.apply", call) and call.is_accepting(),
        "may_manage": may_manage,
        "may_rank": user.has_perm("incubator.view_ranking", call),
        "criteria": list(services.call_criteria(call)),
        "cohorts": list(Cohort.objects.visible_to(user).filter(call=call)),
    }
    if may_manage:
        context["jury"] = list(call.jury.order_by("last_name", "first_name"))
        context["n_submitted"] = call.applications.submitted().count()
        context["n_drafts"] = call.applications.filter(status=Application.Status.DRAFT).count()
        context["next_status"] = services.CALL_MOVES.get(call.status)
        if context["next_status"]:
            context["next_label"] = Call.Status(context["next_status"]).label
    return render(request, "incubator/call_detail.html", context)


@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    require(request, "incubator.manage")
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        jury = data.pop("jury")
        call = services.call_create(by=request.user, jury=jury, **data)
        messages.success(request, _("L’appel est créé en brouillon. Composez son formulaire."))
        return redirect(call)
    return render(
        request, "incubator/call_form.html", {"form": form, "heading": _("Nouvel appel à projets")}
    )


@login_required
def call_update(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for(request, slug, "incubator.manage")
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        services.call_update(call=form.instance, jury=form.cleaned_data["jury"])
        messages.success(request, _("L’appel est enregistré."))
        return redirect(call)
    return render(
        request,
        "incubator/call_form.html",
        {"form": form, "call": call, "heading": _("Modifier l’appel à projets")},
    )


@login_required
def call_criteria(request: HttpRequest, slug: str) -> HttpResponse:
    """The jury's weighted criteria, edited by the lab until the call closes."""
    call = call_for(request, slug, "incubator.manage")
    queryset = CallCriterion.objects.filter(call=call).order_by("position", "pk")
    formset = CriterionFormSet(
        request.POST or None, instance=call, queryset=queryset, prefix="criteres"
    )
    if request.method == "POST" and formset.is_valid():
        services.call_criteria_save(call=call, formset=formset)
        messages.success(request, _("Les critères du jury sont enregistrés."))
        return redirect(call)
    return render(request, "incubator/call_criteria.html", {"call": call, "formset": formset})


@login_required
@require_POST
def call_move(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for(request, slug, "incubator.manage")
    to_status = request.POST.get("status", "")
    if to_status not in Call.Status.values:
        messages.error(request, _("Ce changement de statut n’est pas possible."))
        return redirect(call)
    services.call_move(call=call, by=request.user, to_status=to_status)
    messages.success(request, _("Le statut de l’appel est changé."))
    return redirect(call)


# --- applying -------------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The person's application to the call: a draft saved as often as they like (what they
    typed kept), then submitted once."""
    call = call_for(request, slug, "incubator.apply")
    application = Application.objects.filter(call=call, applicant=request.user).first()
    if application is not None and not application.is_draft:
        messages.info(request, _("C’est déjà fait : votre candidature est déposée."))
        return redirect(application)
    if not call.is_accepting():
        messages.info(request, _("Cet appel n’est pas ouvert aux candidatures en ce moment."))
        return redirect(call)
    plan = Plan(call.consultation.questionnaire)
    draft = services.application_answers(application) if application else {}
    submitting = request.POST.get("action") == "submit"
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, instance=application)
    # The required rule is the submission's (`answers_check`): what was typed is saved as the
    # draft first, then a missing answer is said on its question.
    answers = AnswersForm(data, plan=plan, draft=draft, is_draft=True)
    if request.method == "POST":
        form_ok, answers_ok = form.is_valid(), answers.is_valid()
        if form_ok and answers_ok:
            try:
                saved = services.application_save(
                    call=call,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    answers={**answers.answers},
                )
                if not submitting:
                    messages.success(
                        request, _("Votre brouillon est enregistré : vous pouvez y revenir.")
                    )
                    return redirect("incubator:apply", slug=call.slug)
                services.application_submit(application=saved, by=request.user)
            except IncompleteAnswers as refused:
                # Saved as a draft; the page again, each missing question said.
                for question in refused.missing:
                    answers.add_error(
                        answers._main_name(question), _("Cette question est obligatoire.")
                    )
            except DomainError as refused:
                messages.error(request, str(refused))
                return redirect(call)
            else:
                messages.success(
                    request,
                    _("Votre candidature est déposée. Vous serez prévenu(e) de la décision."),
                )
                return redirect(saved)
    return render(
        request,
        "incubator/apply.html",
        {"call": call, "form": form, "answers": answers, "application": application},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    signed_in_viewer(request)
    applications = list(
        Application.objects.filter(applicant=request.user)
        .select_related("call", "project", "cohort")
        .order_by("-created_at", "-pk")[:200]
    )
    return render(request, "incubator/application_mine.html", {"applications": applications})


def answer_rows(plan: Plan, answers: dict[int, AnswerValue]) -> list[dict[str, Any]]:
    """(question, text) for each answered question, in the form's order (no query: the plan's
    options are prefetched)."""
    rows = []
    for question in plan.questions:
        value = answers.get(question.pk)
        if value is None or value.is_empty:
            continue
        rows.append({"question": question, "text": _answer_text(question, value)})
    return rows


def _answer_text(question: Question, value: AnswerValue) -> str:
    labels = {o.pk: o.label for o in question.options.all()}
    parts: list[str] = []
    if value.text:
        parts.append(value.text)
    if value.choices:
        parts += [labels.get(pk, "?") for pk in value.choices]
    if value.ranks:
        ranked = sorted(value.ranks.items(), key=lambda item: item[1])
        parts += [f"{rank}. {labels.get(pk, '?')}" for pk, rank in ranked]
    if value.number is not None:
        parts.append(f"{value.number.normalize():f}".replace(".", ","))
    if value.date is not None:
        parts.append(value.date.strftime("%d/%m/%Y"))
    if value.flag:
        parts.append(_("Oui"))
    if value.other:
        parts.append(value.other)
    return " ; ".join(parts)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for(request, pk)
    call = application.call
    user = request.user
    plan = Plan(call.consultation.questionnaire)
    context: dict[str, Any] = {
        "application": application,
        "call": call,
        "rows": answer_rows(plan, services.application_answers(application)),
        "is_applicant": application.applicant_id == user.pk,
        "may_score": (
            user.has_perm("incubator.score", application)
            and call.status == Call.Status.CLOSED
            and not application.is_draft
        ),
        "may_decide": (
            user.has_perm("incubator.manage")
            and call.status == Call.Status.CLOSED
            and not application.is_draft
            and not application.decision
        ),
        "may_rank": user.has_perm("incubator.view_ranking", call),
    }
    if context["may_rank"] and not application.is_draft:
        context["summary"] = services.application_summary(application)
    return render(request, "incubator/application_detail.html", context)


# --- the jury ----------------------------------------------------------------------------------


@login_required
def application_score(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for(request, pk, "incubator.score")
    criteria = list(services.call_criteria(application.call))
    existing = ApplicationScore.objects.filter(application=application, reviewer=request.user)
    form = ApplicationScoreForm(request.POST or None, criteria=criteria, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_score(
                application=application, juror=request.user, scores=form.scores()
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Vos notes sont enregistrées."))
            return redirect("incubator:ranking", slug=application.call.slug)
    return render(
        request, "incubator/application_score.html", {"application": application, "form": form}
    )


@login_required
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for(request, slug, "incubator.view_ranking")
    page = Paginator(
        services.ranked_applications(call), settings.INCUBATOR_RANKING_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.mean = rounded_mean(application.weighted_mean)
    return render(
        request,
        "incubator/ranking.html",
        {
            "call": call,
            "page_obj": page,
            "applications": page.object_list,
            "may_manage": request.user.has_perm("incubator.manage"),
            "is_juror": call.jury.filter(pk=request.user.pk).exists(),
        },
    )


@login_required
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "incubator.manage")
    application = application_for(request, pk)
    form = DecisionForm(request.POST or None, call=application.call)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_decide(
                application=application,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                cohort=form.cleaned_data["cohort"],
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(
                request, _("La décision est enregistrée ; le candidat en est prévenu.")
            )
            return redirect("incubator:ranking", slug=application.call.slug)
    return render(
        request,
        "incubator/application_decide.html",
        {"application": application, "form": form},
    )


# --- cohorts -----------------------------------------------------------------------------------


@login_required
def cohort_create(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for(request, slug, "incubator.manage")
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(call=call, by=request.user, **form.cleaned_data)
        messages.success(request, _("La promotion est créée."))
        return redirect(cohort)
    return render(request, "incubator/cohort_form.html", {"form": form, "call": call})


def _own_lines(user: Any, lines: list[Application]) -> list[Application]:
    """The lines of the cohort a member may read: their own project's (they applied, are in its
    team, or their organisation is its partner)."""
    if not lines:
        return []
    projects = [line.project_id for line in lines if line.project_id]
    in_team = set(
        TeamMember.objects.filter(user=user, project__in=projects).values_list("project", flat=True)
    )
    partner_id = user.partner_id if user.is_partner else None
    return [
        line
        for line in lines
        if line.applicant_id == user.pk
        or line.project_id in in_team
        or (partner_id and line.partner_id == partner_id)
    ]


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's calendar and its projects (stage, health, next milestone), in a fixed
    number of queries. The lab and the jury see every line; a member their own project's."""
    user = request.user
    cohort = get_object_or_404(
        Cohort.objects.visible_to(user)
        .select_related("call")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("event").order_by("on", "pk"),
            )
        ),
        pk=pk,
    )
    call = cohort.call
    lines = list(
        cohort.applications.exclude(project=None)
        .select_related("project", "partner")
        .only(
            "pk",
            "title",
            "applicant_id",
            "partner_id",
            "partner__name",
            "cohort_id",
            "project__id",
            "project__code",
            "project__title",
            "project__stage",
            "project__health",
            "project__health_reported_on",
        )
        .order_by("project__code")
    )
    # The lab and the jury: those who read the ranking.
    sees_all = user.has_perm("incubator.view_ranking", call)
    shown = lines if sees_all else _own_lines(user, lines)
    milestones = list(cohort.milestones.all())
    today = timezone.localdate()
    next_milestone = next((m for m in milestones if m.on >= today), None)
    return render(
        request,
        "incubator/cohort_detail.html",
        {
            "cohort": cohort,
            "call": call,
            "lines": shown,
            "n_others": len(lines) - len(shown),
            "milestones": milestones,
            "next_milestone": next_milestone,
            "today": today,
            "may_manage": user.has_perm("incubator.manage"),
        },
    )


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "incubator.manage")
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.milestone_add(cohort=cohort, by=request.user, **form.cleaned_data)
        messages.success(request, _("Le jalon est ajouté au calendrier de la promotion."))
        return redirect(cohort)
    return render(request, "incubator/milestone_form.html", {"form": form, "cohort": cohort})
