"""Gate reviews: the lead asks for one, reviewers score the criteria of the target stage, the
lab decides. The services do the work; these views parse, authorise, call and answer."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from projects import services
from projects.forms.gates import GateDecisionForm, GateRequestForm, GateScoreForm
from projects.gate_checks import go_blockers
from projects.models import GateReview, GateScore, Project, Stage
from projects.services import AlreadyDone


def _project_for(request: HttpRequest, code: str) -> Project:
    """The project if the user may see it (else 404)."""
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("lead"), code=code
    )


def _review_for(request: HttpRequest, code: str, pk: int) -> GateReview:
    project = _project_for(request, code)
    review = get_object_or_404(
        GateReview.objects.select_related("requested_by", "decided_by"), project=project, pk=pk
    )
    review.project = project
    return review


def _already_decided(request: HttpRequest, review: GateReview) -> HttpResponse:
    messages.info(request, _("Cette revue est déjà décidée."))
    return redirect(services.review_url(review))


class GateRequestView(LoginRequiredMixin, FormView):
    """The lead (or the team, or the lab) asks to move the project to its next stage."""

    form_class = GateRequestForm
    template_name = "projects/gate_request.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = _project_for(request, kwargs["code"])
        if not request.user.has_perm("projects.request_gate", self.project):
            raise PermissionDenied
        pending = self.project.gate_reviews.pending().first()
        if pending is not None:
            messages.info(request, _("Une revue de passage est déjà demandée pour ce projet."))
            return redirect(services.review_url(pending))
        if self.project.next_stage is None:
            messages.error(request, _("Ce projet n’a pas d’étape suivante."))
            return redirect(self.project)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            project=self.project, target_stage=Stage(self.project.next_stage).label, **kwargs
        )

    def form_valid(self, form: GateRequestForm) -> HttpResponse:
        try:
            review = services.gate_request(
                project=self.project,
                by=self.request.user,
                motivation=form.cleaned_data["motivation"],
                reviewers=form.cleaned_data["reviewers"],
                due_on=form.cleaned_data["due_on"],
            )
        except AlreadyDone as exc:
            messages.info(self.request, str(exc.args[0]))
            pending = self.project.gate_reviews.pending().first()
            return redirect(services.review_url(pending) if pending else self.project)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("La revue de passage est demandée."))
        return redirect(services.review_url(review))


def _review_page(
    request: HttpRequest,
    review: GateReview,
    *,
    score_form: GateScoreForm | None = None,
    decision_form: GateDecisionForm | None = None,
) -> HttpResponse:
    """The review page, with the forms the user may use (bound ones when re-rendering errors)."""
    user = request.user
    project = review.project
    kwargs = {"code": project.code, "pk": review.pk}
    summary = services.gate_summary(review)
    criteria = [row["criterion"] for row in summary["rows"]]
    can_score = review.is_open and user.has_perm("projects.score_gate", review)
    can_decide = review.is_open and user.has_perm("projects.decide_gate", review)
    if can_score and score_form is None:
        score_form = GateScoreForm(
            criteria=criteria,
            existing=GateScore.objects.filter(review=review, reviewer=user),
            action=reverse("projects:gate-score", kwargs=kwargs),
        )
    blockers = go_blockers(project) if can_decide else []
    if can_decide and decision_form is None:
        decision_form = GateDecisionForm(
            action=reverse("projects:gate-decide", kwargs=kwargs), blockers=blockers
        )
    # Each reviewer's scores are the committee's working material: shown to the committee.
    committee = can_score or can_decide or user.has_perm("projects.decide_gate", review)
    scores = (
        list(review.scores.select_related("criterion", "reviewer").order_by("criterion__position"))
        if committee
        else []
    )
    context = {
        "project": project,
        "review": review,
        "summary": summary,
        "reviewers": list(review.reviewers.order_by("last_name", "first_name", "email")),
        "score_form": score_form if can_score else None,
        "decision_form": decision_form if can_decide else None,
        "scores": scores,
        "show_scores": committee,
        "go_blockers": blockers,
    }
    return render(request, "projects/gate_review.html", context)


class GateReviewView(LoginRequiredMixin, View):
    """The review: request, criteria, summary; the scores form for reviewers, the decision
    form for the lab; the decision once taken."""

    def get(self, request: HttpRequest, code: str, pk: int) -> HttpResponse:
        return _review_page(request, _review_for(request, code, pk))


@require_POST
@login_required
def gate_score(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    review = _review_for(request, code, pk)
    if not request.user.has_perm("projects.score_gate", review):
        raise PermissionDenied
    if not review.is_open:
        return _already_decided(request, review)
    form = GateScoreForm(
        request.POST,
        criteria=services.gate_criteria_for(review),
        action=reverse("projects:gate-score", kwargs={"code": code, "pk": pk}),
    )
    if form.is_valid():
        try:
            services.gate_score(review=review, reviewer=request.user, scores=form.scores())
        except AlreadyDone:  # decided meanwhile
            return _already_decided(request, review)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Vos notes sont enregistrées."))
            return redirect(services.review_url(review))
    return _review_page(request, review, score_form=form)


@require_POST
@login_required
def gate_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    review = _review_for(request, code, pk)
    if not request.user.has_perm("projects.decide_gate", review):
        raise PermissionDenied
    if not review.is_open:
        return _already_decided(request, review)
    form = GateDecisionForm(
        request.POST,
        action=reverse("projects:gate-decide", kwargs={"code": code, "pk": pk}),
        blockers=go_blockers(review.project),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = services.gate_decide(
                review=review,
                by=request.user,
                decision=data["decision"],
                rationale=data["rationale"],
                conditions=data["conditions"],
                revisit_on=data["revisit_on"],
                lesson_learned=data["lesson_learned"],
                override_justification=data.get("override_justification", ""),
            )
        except AlreadyDone:  # decided meanwhile
            return _already_decided(request, review)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Décision enregistrée : %(decision)s.")
                % {"decision": review.get_decision_display()},
            )
            return redirect(services.review_url(review))
    return _review_page(request, review, decision_form=form)
