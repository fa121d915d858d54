"""Criée events: the list, create and update (the lab), a criée's page with its programme,
proposals from the correspondents, and the lab's programme building (schedule, order,
decline, status)."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView, UpdateView

from caflab.accounts.models import User
from caflab.core.errors import NotAllowedNow
from criees import services
from criees.forms import CrieeForm, ProposeForm, ScheduleForm
from criees.models import Criee, Pitch
from criees.services import AlreadyDone
from criees.views.base import NetworkMixin, criee_for, network_only, require

# --- list, create, update ----------------------------------------------------------------


def with_pitch_counts(criees: QuerySet[Criee]) -> QuerySet[Criee]:
    return criees.annotate(
        n_scheduled=Count("pitches", filter=Q(pitches__status=Pitch.Status.SCHEDULED)),
        n_proposed=Count("pitches", filter=Q(pitches__status=Pitch.Status.PROPOSED)),
    )


class CrieeListView(NetworkMixin, TemplateView):
    template_name = "criees/criee_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        criees = with_pitch_counts(Criee.objects.visible_to(self.request.user))
        return super().get_context_data(
            upcoming=list(criees.upcoming()), past=list(criees.past()[:50]), **kwargs
        )


class CrieeCreateView(NetworkMixin, FormView):
    permission_required = "criees.manage_criees"
    form_class = CrieeForm
    template_name = "criees/criee_form.html"

    def form_valid(self, form: CrieeForm) -> HttpResponse:
        form.instance.created_by = self.request.user
        criee = form.save()
        messages.success(
            self.request,
            _("La criée est créée. Ouvrez-la aux propositions quand vous êtes prêts."),
        )
        return redirect(criee)


class CrieeUpdateView(NetworkMixin, UpdateView):
    permission_required = "criees.manage_criees"
    form_class = CrieeForm
    template_name = "criees/criee_form.html"
    context_object_name = "criee"

    def get_object(self, queryset: Any = None) -> Criee:
        return criee_for(self.request, self.kwargs["pk"])

    def form_valid(self, form: CrieeForm) -> HttpResponse:
        criee = form.save()
        messages.success(self.request, _("La criée est enregistrée."))
        return redirect(criee)


# --- one criée: its programme ------------------------------------------------------------


def programme_of(criee: Criee) -> list[Pitch]:
    """The scheduled pitches in order, each with its `starts_at` (the criée's start plus the
    slots before it). Two queries, whatever the length of the programme."""
    pitches = list(
        Pitch.objects.scheduled()
        .filter(criee=criee)
        .select_related("initiative__caf__region", "initiative__project")
        .prefetch_related(Prefetch("presenters", queryset=User.objects.order_by("last_name")))
    )
    moment = criee.starts_at
    for pitch in pitches:
        pitch.starts_at = moment
        moment += datetime.timedelta(minutes=pitch.slot_minutes)
    return pitches


def _criee_page(
    request: HttpRequest, criee: Criee, *, propose_form: ProposeForm | None = None
) -> HttpResponse:
    user = request.user
    can_manage = user.has_perm("criees.manage_criees")
    proposals: list[Pitch] = []
    if can_manage or user.is_correspondent:
        others = criee.pitches.exclude(status=Pitch.Status.SCHEDULED).select_related(
            "initiative__caf", "proposed_by"
        )
        if not can_manage:  # a correspondent follows their own Caf's proposals
            others = others.filter(initiative__caf=user.caf_id)
        proposals = list(others.order_by("status", "created_at", "pk"))
    may_propose = user.has_perm("criees.propose_pitch") and (
        criee.accepts_proposals or (can_manage and criee.programme_is_editable)
    )
    if may_propose and propose_form is None:
        propose_form = ProposeForm(
            user=user,
            criee=criee,
            action=reverse("criees:propose", kwargs={"pk": criee.pk}),
        )
    context = {
        "criee": criee,
        "themes": list(criee.themes.all()),
        "programme": programme_of(criee),
        "proposals": proposals,
        "propose_form": propose_form if may_propose else None,
        "can_manage": can_manage,
        "can_export_interests": user.has_perm("criees.export_interests"),
        "may_analyse_comments": user.has_perm("criees.analyse_comments", criee),
    }
    return render(request, "criees/criee_detail.html", context)


class CrieeDetailView(NetworkMixin, TemplateView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _criee_page(request, criee_for(request, kwargs["pk"]))


@require_POST
@network_only
def criee_advance(request: HttpRequest, pk: int) -> HttpResponse:
    criee = criee_for(request, pk, "criees.manage_criees")
    try:
        criee = services.criee_advance(
            criee=criee, by=request.user, to_status=request.POST.get("status", "")
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Statut de la criée : %(status)s.") % {"status": criee.get_status_display()}
        )
    return redirect(criee)


@require_POST
@network_only
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    criee = criee_for(request, pk, "criees.propose_pitch")
    form = ProposeForm(
        request.POST,
        user=request.user,
        criee=criee,
        action=reverse("criees:propose", kwargs={"pk": criee.pk}),
    )
    if not form.is_valid():
        return _criee_page(request, criee, propose_form=form)
    try:
        services.pitch_propose(
            criee=criee, initiative=form.cleaned_data["initiative"], by=request.user
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except NotAllowedNow as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("L’initiative est proposée : le lab construit le programme."))
    return redirect(criee)


# --- the lab builds the programme ------------------------------------------------------------


def _pitch_for(request: HttpRequest, pk: int) -> Pitch:
    require(request, "criees.manage_criees")
    return get_object_or_404(
        Pitch.objects.select_related("criee", "initiative__caf"),
        pk=pk,
        criee__in=Criee.objects.visible_to(request.user),
    )


class PitchScheduleView(NetworkMixin, FormView):
    """Put a proposal on the programme (or change a slot): its length and its presenters."""

    permission_required = "criees.manage_criees"
    form_class = ScheduleForm
    template_name = "criees/pitch_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, "criees.view_catalogue")
        self.pitch = _pitch_for(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "instance": self.pitch}
        if not self.pitch.is_scheduled and self.request.method == "GET":
            lead = self.pitch.initiative.members.filter(role="lead").values_list("user", flat=True)
            kwargs["initial"] = {"presenters": list(lead)}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(pitch=self.pitch, criee=self.pitch.criee, **kwargs)

    def form_valid(self, form: ScheduleForm) -> HttpResponse:
        try:
            services.pitch_schedule(
                pitch=self.pitch,
                by=self.request.user,
                slot_minutes=form.cleaned_data["slot_minutes"],
                presenters=form.cleaned_data["presenters"],
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        except NotAllowedNow as refused:
            messages.error(self.request, str(refused))
        else:
            messages.success(
                self.request,
                _("« %(title)s » est au programme.") % {"title": self.pitch.initiative.title},
            )
        return redirect(self.pitch.criee)


@require_POST
@network_only
def pitch_decline(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    try:
        services.pitch_decline(pitch=pitch, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except NotAllowedNow as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("« %(title)s » n’est pas retenue.") % {"title": pitch.initiative.title}
        )
    return redirect(pitch.criee)


@require_POST
@network_only
def pitch_move(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _pitch_for(request, pk)
    try:
        services.pitch_move(pitch=pitch, by=request.user, direction=request.POST.get("sens", ""))
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except NotAllowedNow as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("L’ordre de passage est modifié."))
    return redirect(f"{pitch.criee.get_absolute_url()}#programme")
