"""The restitution ("vous avez dit, nous avons fait"): managers write it as a draft, preview it
and publish it; it is then public on the consultation's page for whoever sees the consultation."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core.errors import NotAllowedNow
from ecoute.forms.restitution import DecisionFormSet, RestitutionForm
from ecoute.models import Consultation, Decision, Recruitment, Restitution
from ecoute.public_cache import cached_public, is_public_visitor
from ecoute.services.common import AlreadyDone
from ecoute.services.restitution import (
    restitution_mailing_retry,
    restitution_publish,
    restitution_save,
    synthesis_draft,
)
from ecoute.views.common import consultation_for, managed_consultation
from projects.models import Project


def _restitution_of(consultation: Consultation) -> Restitution | None:
    return Restitution.objects.filter(consultation=consultation).first()


def project_links(projects: list[Project], user: Any) -> dict[int, str]:
    """pk → the link this user may follow: the project page if they see it, its public sheet
    if it is published, nothing otherwise (then its title is not shown either)."""
    pks = [project.pk for project in projects]
    if not pks:
        return {}
    visible = set(Project.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
    public = set(Project.objects.published().filter(pk__in=pks).values_list("pk", flat=True))
    links = {}
    for project in projects:
        if project.pk in visible:
            links[project.pk] = project.get_absolute_url()
        elif project.pk in public:
            links[project.pk] = reverse("projects:public-sheet", kwargs={"code": project.code})
    return links


def decision_rows(restitution: Restitution, user: Any) -> list[dict[str, Any]]:
    decisions = list(
        Decision.objects.filter(restitution=restitution)
        .select_related("project")
        .order_by("position", "pk")
    )
    links = project_links([d.project for d in decisions if d.project], user)
    return [
        {
            "said": decision.said,
            "done": decision.done,
            "project": (
                {"title": decision.project.title, "url": links[decision.project_id]}
                if decision.project_id in links
                else None
            ),
        }
        for decision in decisions
    ]


def contribution_outcome_rows(consultation: Consultation, user: Any) -> list[dict[str, Any]]:
    """Each published contribution and what became of it (its official answer and the project
    that took it up, linked only where this reader may follow the link)."""
    from ecoute.services.contributions import contributions_with_outcomes

    contributions = list(contributions_with_outcomes(consultation))
    links = project_links([c.project for c in contributions if c.project_id], user)
    return [
        {
            "title": contribution.title,
            "url": contribution.get_absolute_url(),
            "official_answer_status_display": contribution.get_answer_status_display(),
            "reason": contribution.latest_answer_reason,
            "project": (
                {"title": contribution.project.title, "url": links[contribution.project_id]}
                if contribution.project_id in links
                else None
            ),
        }
        for contribution in contributions
    ]


def consultation_extras(consultation: Consultation, user: Any) -> dict[str, Any]:
    """What the consultation's public page shows of phase 2: its published restitution and the
    recruitments whose registrations are open or to come."""
    restitution = Restitution.objects.published().filter(consultation=consultation).first()
    recruitments = list(
        Recruitment.objects.filter(
            consultation=consultation, registration_closes_at__gt=timezone.now()
        ).order_by("starts_at", "pk")
    )
    return {"published_restitution": restitution, "open_recruitments": recruitments}


def _restitution_page(
    request: HttpRequest, consultation: Consultation, restitution: Restitution, *, preview: bool
) -> HttpResponse:
    user = request.user

    def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return decision_rows(restitution, user), contribution_outcome_rows(consultation, user)

    # A published restitution reads the same for every anonymous visitor (the links depend on
    # who reads): cached until the consultation, its restitution or contributions change.
    if not preview and is_public_visitor(user):
        decisions, outcomes = cached_public(f"restitution:{restitution.pk}", rows)
    else:
        decisions, outcomes = rows()
    return render(
        request,
        "ecoute/restitution/detail.html",
        {
            "consultation": consultation,
            "restitution": restitution,
            "decisions": decisions,
            "preview": preview,
            "contribution_outcomes": outcomes,
        },
    )


def restitution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The published restitution, for whoever sees the consultation (a draft: 404)."""
    consultation = consultation_for(request, slug=slug)
    restitution = _restitution_of(consultation)
    if restitution is None or not restitution.is_published:
        raise Http404
    return _restitution_page(request, consultation, restitution, preview=False)


@login_required
def restitution_preview(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    restitution = _restitution_of(consultation)
    if restitution is None:
        return redirect("ecoute:restitution-edit", pk=consultation.pk)
    return _restitution_page(request, consultation, restitution, preview=True)


@login_required
def restitution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    restitution = _restitution_of(consultation)
    projects = Project.objects.visible_to(request.user).order_by("code")
    if request.method == "POST":
        form = RestitutionForm(request.POST)
        formset = DecisionFormSet(request.POST, projects=projects, prefix="decisions")
        if form.is_valid() and formset.is_valid():
            restitution_save(
                consultation=consultation,
                by=request.user,
                synthesis=form.cleaned_data["synthesis"],
                decisions=formset.specs(),
            )
            messages.success(
                request, _("La restitution est enregistrée. Relisez-la avant de la publier.")
            )
            return redirect("ecoute:restitution-preview", pk=consultation.pk)
    else:
        initial_decisions = (
            [
                {"said": d.said, "done": d.done, "project": d.project_id}
                for d in restitution.decisions.all()
            ]
            if restitution
            else []
        )
        # A restitution not written yet starts from what the analysis of the texts found.
        synthesis = (
            restitution.synthesis if restitution else synthesis_draft(consultation, request.user)
        )
        form = RestitutionForm(initial={"synthesis": synthesis} if synthesis else None)
        formset = DecisionFormSet(initial=initial_decisions, projects=projects, prefix="decisions")
    return render(
        request,
        "ecoute/restitution/form.html",
        {
            "consultation": consultation,
            "restitution": restitution,
            "form": form,
            "formset": formset,
        },
    )


@require_POST
@login_required
def restitution_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = managed_consultation(request, pk)
    try:
        restitution_publish(consultation=consultation, by=request.user)
    except AlreadyDone:
        messages.info(request, _("Cette restitution est déjà publiée."))
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("ecoute:restitution-preview", pk=consultation.pk)
    except NotAllowedNow as refused:
        messages.error(request, str(refused))
        return redirect("ecoute:restitution-preview", pk=consultation.pk)
    else:
        messages.success(
            request,
            _("La restitution est publiée : les personnes qui l’ont demandé en sont informées."),
        )
    return redirect(consultation.get_manage_url())


@require_POST
@login_required
def restitution_mailing_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Relancer" the restitution's e-mails after a failed run: the addresses not told yet."""
    consultation = managed_consultation(request, pk)
    restitution = Restitution.objects.published().filter(consultation=consultation).first()
    if restitution is None:
        raise Http404
    try:
        restitution_mailing_retry(restitution=restitution, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(request, _("L’envoi des e-mails de la restitution est relancé."))
    return redirect(consultation.get_manage_url())
