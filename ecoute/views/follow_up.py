"""What became of a consultation: the public follow-up page ("vous avez dit, nous avons fait, où
on en est"), the managers' page to record where a decision stands, and the lab's "archive
without restitution" with its public reason."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from caflab.core.errors import AlreadyDone, InvalidState
from ecoute.forms.restitution import ArchiveWithoutRestitutionForm, DecisionUpdateForm
from ecoute.models import Decision, DecisionUpdate, Restitution
from ecoute.services.consultations import consultation_archive_without_restitution
from ecoute.services.decisions import decision_update
from ecoute.views.common import consultation_for, managed_consultation
from ecoute.views.restitution import project_links


def decision_follow_up_rows(restitution: Restitution, user: Any) -> list[dict[str, Any]]:
    """Each decision with its status, progress, project (linked, with its stage as it is now,
    only where this reader may follow the link) and latest update: four queries at most,
    whatever the number of decisions and updates."""
    decisions = list(
        Decision.objects.filter(restitution=restitution)
        .select_related("project")
        .order_by("position", "pk")
    )
    latest = {
        update.decision_id: update
        for update in DecisionUpdate.objects.filter(decision__restitution=restitution)
        .order_by("decision_id", "-at", "-pk")
        .distinct("decision_id")
    }
    links = project_links([d.project for d in decisions if d.project_id], user)
    return [
        {
            "pk": decision.pk,
            "said": decision.said,
            "done": decision.done,
            "status": decision.status,
            "status_display": decision.get_status_display(),
            "progress": decision.progress,
            "latest": latest.get(decision.pk),
            "project": (
                {
                    "title": decision.project.title,
                    "url": links[decision.project_id],
                    "stage": decision.project.get_stage_display(),
                }
                if decision.project_id in links
                else None
            ),
        }
        for decision in decisions
    ]


def follow_up(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Vous avez dit, nous avons fait, où on en est": for whoever sees the consultation. Not
    cached: a linked project's stage is shown as it is now."""
    consultation = consultation_for(request, slug=slug)
    restitution = Restitution.objects.published().filter(consultation=consultation).first()
    return render(
        request,
        "ecoute/restitution/follow_up.html",
        {
            "consultation": consultation,
            "restitution": restitution,
            "decisions": decision_follow_up_rows(restitution, request.user) if restitution else [],
        },
    )


@login_required
def decision_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager records where a decision stands; its whole history is listed below."""
    decision = get_object_or_404(
        Decision.objects.select_related("restitution__consultation", "project"), pk=pk
    )
    consultation = managed_consultation(request, decision.restitution.consultation_id)
    if request.method == "POST":
        form = DecisionUpdateForm(request.POST)
        if form.is_valid():
            try:
                decision_update(
                    decision=decision,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    progress=form.cleaned_data["progress"],
                    text=form.cleaned_data["text"],
                )
            except AlreadyDone as done:
                messages.info(request, str(done))
            except InvalidState as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, _("Le point d’avancement est enregistré."))
                return redirect(consultation.get_manage_url())
    else:
        form = DecisionUpdateForm(
            initial={"status": decision.status, "progress": decision.progress}
        )
    return render(
        request,
        "ecoute/restitution/decision_update.html",
        {
            "consultation": consultation,
            "decision": decision,
            "form": form,
            "updates": list(decision.updates.select_related("by").order_by("-at", "-pk")),
        },
    )


@login_required
def archive_without_restitution(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab archives a closed consultation with no restitution, saying why (shown
    publicly). Other managers are told, in French, that only the lab may."""
    consultation = managed_consultation(request, pk)
    if not request.user.is_lab_staff:
        messages.error(
            request,
            _(
                "Seul le CafLab peut archiver une consultation sans restitution. Publiez la "
                "restitution, ou demandez au CafLab en expliquant pourquoi il n’y en aura pas."
            ),
        )
        return redirect(consultation.get_manage_url())
    if request.method == "POST":
        form = ArchiveWithoutRestitutionForm(request.POST)
        if form.is_valid():
            try:
                consultation_archive_without_restitution(
                    consultation=consultation, by=request.user, reason=form.cleaned_data["reason"]
                )
            except AlreadyDone as done:
                messages.info(request, str(done))
                return redirect(consultation.get_manage_url())
            except InvalidState as refused:
                form.add_error(None, refused)
            else:
                messages.success(
                    request,
                    _("La consultation est archivée ; le motif est affiché sur sa page publique."),
                )
                return redirect(consultation.get_manage_url())
    else:
        form = ArchiveWithoutRestitutionForm()
    return render(
        request,
        "ecoute/archive_without_restitution.html",
        {"consultation": consultation, "form": form},
    )
