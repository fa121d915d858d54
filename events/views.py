"""Pages of the events: the catalogue, an event's page, the organiser's forms and actions,
registration, "my registrations", iCal files, attendance, materials and the yearly figures.

Deny by default: anonymous → login page; an event outside the person's audience → 404
(`visible_to`); an action the rules refuse → 403. Refusals of the services (full, closed, not
eligible, already registered) reach the person as a message (RefusalMiddleware)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from caflab.core.charts import ChartRow, bar_chart
from caflab.core.queries import count_of
from caflab.core.uploads import download_response
from events import calendar_feed, ical, satisfaction, services
from events.filters import EventFilter
from events.forms import CancelForm, EventForm, MaterialForm, ProposalForm, SynthesisForm
from events.models import (
    DebateProposal,
    Event,
    EventQuerySet,
    Material,
    Registration,
    Satisfaction,
)

RegStatus = Registration.Status


class SignedInMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "events.view_catalogue"

    def get_permission_object(self) -> None:
        return None


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def event_for(request: HttpRequest, pk: int, perm: str | None = None) -> Event:
    """The event if the person sees it (else 404), and may do `perm` on it (else 403)."""
    queryset = Event.objects.visible_to(request.user).prefetch_related("organisers")
    event = get_object_or_404(queryset.select_related("caf"), pk=pk)
    if perm:
        require(request, perm, event)
    return event


# --- the catalogue and my registrations ----------------------------------------------------


class CatalogueView(SignedInMixin, FilterView):
    filterset_class = EventFilter
    template_name = "events/event_list.html"
    context_object_name = "events"
    paginate_by = 20

    def get_queryset(self) -> EventQuerySet:
        return Event.objects.visible_to(self.request.user).listed()

    def paginate_queryset(self, queryset: EventQuerySet, page_size: int) -> tuple:
        # The page's ids first, then only the page's rows are joined and counted.
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values("pk"), page_size
        )
        page.object_list = (
            queryset.model.objects.filter(pk__in=ids)
            .with_card_data()
            .order_by(*queryset.query.order_by)
        )
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_filtered"] = self.filterset.is_filtered
        context["may_create"] = self.request.user.has_perm("events.add_event")
        return context


class MineView(SignedInMixin, TemplateView):
    """The person's registrations, upcoming then past, and the events they organise."""

    template_name = "events/registration_mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        now = timezone.now()
        registrations = list(
            Registration.objects.live()
            .filter(user=user)
            .select_related("event")
            .order_by("event__starts_at", "pk")[:200]
        )
        positions = waiting_positions(registrations)
        for registration in registrations:
            registration.position = positions.get(registration.pk)
        organised = list(
            Event.objects.filter(organisers=user, ends_at__gte=now).order_by("starts_at", "pk")[:50]
        )
        return super().get_context_data(
            calendar_url=self.request.build_absolute_uri(calendar_feed.url_for(user)),
            upcoming=[r for r in registrations if r.event.ends_at >= now],
            past=[r for r in registrations if r.event.ends_at < now][::-1],
            organised=organised,
            **kwargs,
        )


def waiting_positions(registrations: list[Registration]) -> dict[int, int]:
    """pk → waiting-list position for the waiting ones among `registrations`, in one query."""
    event_ids = {r.event_id for r in registrations if r.status == RegStatus.WAITING}
    if not event_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    waiting = (
        Registration.objects.filter(event_id__in=event_ids, status=RegStatus.WAITING)
        .order_by("event_id", "registered_at", "pk")
        .values_list("pk", "event_id")
    )
    for pk, event_id in waiting:
        counters[event_id] = counters.get(event_id, 0) + 1
        positions[pk] = counters[event_id]
    return positions


# --- one event -----------------------------------------------------------------------------


class EventDetailView(SignedInMixin, DetailView):
    template_name = "events/event_detail.html"
    context_object_name = "event"

    def get_object(self, queryset: Any = None) -> Event:
        queryset = (
            Event.objects.visible_to(self.request.user)
            .with_card_data()
            .annotate(n_waiting=count_of(Registration, "event", status=RegStatus.WAITING))
            .prefetch_related("organisers", "cafs", "materials", "proposals")
            .select_related("satisfaction__consultation__questionnaire")
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event, user = self.object, self.request.user
        mine = Registration.objects.live().filter(event=event, user=user).first()
        caf_ids = {caf.pk for caf in event.cafs.all()}
        refusal = "" if mine else event.window_refusal() or event.eligibility_refusal(user, caf_ids)
        position = waiting_positions([mine]).get(mine.pk) if mine else None
        may_manage = user.has_perm("events.manage_event", event)
        held_satisfaction = getattr(event, "satisfaction", None)
        return super().get_context_data(
            satisfaction=held_satisfaction,
            satisfaction_summary=(
                satisfaction.summary_of(held_satisfaction)
                if held_satisfaction and may_manage
                else None
            ),
            may_read_answers=bool(
                held_satisfaction
                and may_manage
                and user.has_perm("ecoute.manage_consultation", held_satisfaction.consultation)
            ),
            mine=mine,
            position=position,
            refusal=refusal,
            may_manage=may_manage,
            free_seats=max(event.seats - event.n_confirmed, 0),
            cancel_form=CancelForm(),
            **kwargs,
        )


class EventCreateView(SignedInMixin, TemplateView):
    permission_required = "events.add_event"
    template_name = "events/event_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=EventForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EventForm(request.POST)
        if form.is_valid():
            event = form.save(commit=False)
            if not request.user.is_lab_staff:
                event.caf_id = request.user.caf_id  # a correspondent organises for his Caf
            event = _save(form, event, request.user)
            if event is not None:
                messages.success(request, _("Le brouillon est créé. Publiez-le quand il est prêt."))
                return redirect(event)
        return self.render_to_response(self.get_context_data(form=form))


class EventUpdateView(SignedInMixin, TemplateView):
    template_name = "events/event_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.event = event_for(request, kwargs["pk"], "events.manage_event")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EventForm(instance=self.event)
        return self.render_to_response(self.get_context_data(form=form, event=self.event))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EventForm(request.POST, instance=self.event)
        if form.is_valid():
            event = _save(form, form.save(commit=False), request.user)
            if event is not None:
                messages.success(request, _("L’événement est enregistré."))
                return redirect(event)
        return self.render_to_response(self.get_context_data(form=form, event=self.event))


def _save(form: EventForm, event: Event, by: Any) -> Event | None:
    """The service's save; a model check it refuses goes back on the form (None)."""
    from django.core.exceptions import ValidationError

    try:
        return services.event_save(
            event=event,
            by=by,
            themes=form.cleaned_data["themes"],
            cafs=form.cleaned_data["cafs"],
            organisers=form.cleaned_data["organiser_emails"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_POST
@login_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    services.event_publish(event=event, by=request.user)
    messages.success(request, _("L’événement est publié : son public le voit au catalogue."))
    return redirect(event)


@require_POST
@login_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dites aux inscrits pourquoi l’événement est annulé."))
        return redirect(event)
    services.event_cancel(event=event, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("L’événement est annulé ; les inscrits sont prévenus."))
    return redirect(event)


# --- registration --------------------------------------------------------------------------


@require_POST
@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.register")
    registration = services.registration_create(event=event, user=request.user)
    if registration.status == RegStatus.WAITING:
        messages.info(
            request,
            _(
                "L’événement est complet : vous êtes sur la liste d’attente. Vous serez prévenu(e) "
                "si une place se libère."
            ),
        )
    else:
        messages.success(request, _("Vous êtes inscrit(e). Un e-mail de confirmation suit."))
    return redirect(event)


@require_POST
@login_required
def unregister(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk)
    registration = Registration.objects.live().filter(event=event, user=request.user).first()
    if registration is None:
        messages.info(request, _("Vous n’êtes pas inscrit(e) à cet événement."))
        return redirect(event)
    services.registration_cancel(registration=registration, by=request.user)
    messages.success(request, _("Votre inscription est annulée."))
    return redirect(event)


# --- iCal ----------------------------------------------------------------------------------


@login_required
def event_ical(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk)
    if event.status == Event.Status.DRAFT:
        raise Http404
    content = ical.calendar_of([event], name=event.title)
    return ical.ical_response(content, f"evenement-{event.pk}.ics")


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """The upcoming events the person sees (at most 300, the nearest first)."""
    events = Event.objects.visible_to(request.user).upcoming()[:300]
    content = ical.calendar_of(events, name=_("CafLab : événements à venir"))
    return ical.ical_response(content, "caflab-evenements.ics")


# --- after the event: attendance, materials ------------------------------------------------


class AttendanceView(SignedInMixin, TemplateView):
    """The organiser's checklist: each confirmed person, present or not, and the figures."""

    template_name = "events/attendance.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.event = event_for(request, kwargs["pk"], "events.manage_event")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event = self.event
        registrations = list(
            event.registrations.filter(status=RegStatus.CONFIRMED)
            .select_related("user", "caf", "directorate")
            .order_by("user__last_name", "user__first_name", "pk")
        )
        counts = event.registrations.aggregate(
            confirmed=Count("pk", filter=Q(status=RegStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegStatus.WAITING)),
            present=Count("pk", filter=Q(status=RegStatus.CONFIRMED, attended=True)),
            cancelled=Count("pk", filter=Q(status=RegStatus.CANCELLED)),
        )
        rate = round(100 * counts["present"] / counts["confirmed"]) if counts["confirmed"] else None
        return super().get_context_data(
            event=event,
            registrations=registrations,
            counts=counts,
            rate=rate,
            started=event.starts_at <= timezone.now(),
            materials=list(event.materials.order_by("created_at", "pk")),
            material_form=kwargs.pop("material_form", None) or MaterialForm(),
            synthesis_form=kwargs.pop("synthesis_form", None) or SynthesisForm(instance=event),
            proposal_form=kwargs.pop("proposal_form", None) or ProposalForm(),
            proposals=list(event.proposals.order_by("created_at", "pk")),
            satisfaction=Satisfaction.objects.filter(event=event)
            .select_related("consultation")
            .first(),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ids = [int(value) for value in request.POST.getlist("present") if value.isdigit()]
        came = services.attendance_record(event=self.event, present_ids=ids, by=request.user)
        messages.success(
            request, _("La présence est enregistrée : %(n)s personne(s) présente(s).") % {"n": came}
        )
        return redirect("events:attendance", pk=self.event.pk)


@require_POST
@login_required
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        view = AttendanceView()
        view.setup(request, pk=pk)
        view.event = event
        context = view.get_context_data(material_form=form)
        return render(request, AttendanceView.template_name, context, status=200)
    services.material_add(
        event=event,
        by=request.user,
        file=form.cleaned_data["file"],
        name=form.display_name,
        content_type=form.kind.content_type,
        description=form.cleaned_data["description"],
    )
    messages.success(request, _("Le support est ajouté."))
    return redirect("events:attendance", pk=event.pk)


def _attendance_again(request: HttpRequest, event: Event, **forms: Any) -> HttpResponse:
    """The after-event page again, with the form that did not validate and what was typed."""
    view = AttendanceView()
    view.setup(request, pk=event.pk)
    view.event = event
    return render(request, AttendanceView.template_name, view.get_context_data(**forms))


@require_POST
@login_required
def synthesis_save(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    form = SynthesisForm(request.POST, instance=Event.objects.get(pk=event.pk))
    if not form.is_valid():
        return _attendance_again(request, event, synthesis_form=form)
    services.synthesis_save(event=event, by=request.user, synthesis=form.cleaned_data["synthesis"])
    messages.success(request, _("La synthèse est enregistrée."))
    return redirect("events:attendance", pk=event.pk)


@require_POST
@login_required
def proposal_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _attendance_again(request, event, proposal_form=form)
    services.proposal_add(event=event, by=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("La proposition est ajoutée."))
    return redirect("events:attendance", pk=event.pk)


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: what it says, the event it came from and what became of it (the "origin"
    panel: the idea, then the project; or the button that makes it an idea)."""
    proposal = get_object_or_404(
        DebateProposal.objects.visible_to(request.user).select_related("event"), pk=pk
    )
    return render(request, "events/proposal_detail.html", {"proposal": proposal})


def _material_for(request: HttpRequest, pk: int) -> Material:
    visible = Event.objects.visible_to(request.user)
    return get_object_or_404(
        Material.objects.filter(event__in=visible).select_related("event"), pk=pk
    )


@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = _material_for(request, pk)
    return download_response(material.file, filename=material.name)


@require_POST
@login_required
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = _material_for(request, pk)
    event = Event.objects.prefetch_related("organisers").get(pk=material.event_id)
    require(request, "events.manage_event", event)
    services.material_delete(material=material)
    messages.success(request, _("« %(name)s » est supprimé.") % {"name": material.name})
    return redirect("events:attendance", pk=event.pk)


# --- the lab's figures ---------------------------------------------------------------------


class FiguresView(SignedInMixin, TemplateView):
    """A year's figures: events held by type, people present per Caf and per directorate, and
    each held event's registrations, attendance and satisfaction (mean overall rating and
    answers, per event and per type). Seven queries whatever the year's size."""

    permission_required = "events.view_figures"
    template_name = "events/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        this_year = timezone.localdate().year
        try:
            year = int(self.request.GET.get("annee", this_year))
        except ValueError:
            year = this_year
        year = min(max(year, 2015), this_year + 1)
        kind = self.request.GET.get("type", "")
        kind = kind if kind in Event.Kind.values else ""
        held = Event.objects.filter(status=Event.Status.HELD, starts_at__year=year)
        if kind:
            held = held.filter(kind=kind)
        present = Registration.objects.filter(event__in=held, attended=True)
        labels = dict(Event.Kind.choices)
        by_kind = held.order_by().values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
        by_caf = (
            present.exclude(caf=None)
            .order_by()
            .values("caf__code", "caf__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "caf__code")
        )
        by_directorate = (
            present.exclude(directorate=None)
            .order_by()
            .values("directorate__acronym", "directorate__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "directorate__acronym")
        )
        totals = present.aggregate(attendances=Count("pk"), people=Count("user", distinct=True))
        events = list(
            held.select_related("caf")
            .annotate(
                n_confirmed=count_of(Registration, "event", status=RegStatus.CONFIRMED),
                n_present=count_of(Registration, "event", attended=True),
            )
            .order_by("starts_at", "pk")
        )
        ratings = satisfaction.ratings_of(events)
        for event in events:
            event.rating = ratings.get(event.pk)
        return super().get_context_data(
            year=year,
            ratings_by_kind=satisfaction.ratings_by_kind(events, ratings),
            min_group=satisfaction.MIN_GROUP_SIZE,
            kind=kind,
            years=list(range(this_year + 1, 2022, -1)),
            kinds=Event.Kind.choices,
            totals=totals,
            n_held=len(events),
            events=events,
            kind_chart=bar_chart(
                "evenements-par-type",
                _("Événements tenus par type"),
                [ChartRow(str(labels[row["kind"]]), row["n"]) for row in by_kind],
                label_header=_("Type"),
                value_header=_("Événements"),
                shares=True,
            ),
            caf_chart=bar_chart(
                "personnes-par-caf",
                _("Présences par Caf"),
                [ChartRow(f"{r['caf__code']} – {r['caf__name']}", r["n"]) for r in by_caf],
                label_header=_("Caf"),
                value_header=_("Présences"),
            ),
            directorate_chart=bar_chart(
                "personnes-par-direction",
                _("Présences par direction de la Cnaf"),
                [
                    ChartRow(f"{r['directorate__acronym']} – {r['directorate__name']}", r["n"])
                    for r in by_directorate
                ],
                label_header=_("Direction"),
                value_header=_("Présences"),
            ),
            **kwargs,
        )


# --- after the event: the satisfaction questionnaire ---------------------------------------


@require_POST
@login_required
def satisfaction_send(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "events.manage_event")
    satisfaction.satisfaction_send(event=event, by=request.user)
    messages.success(
        request,
        _(
            "Le questionnaire de satisfaction est ouvert : les personnes venues sont prévenues "
            "par une notification et un e-mail."
        ),
    )
    return redirect("events:attendance", pk=event.pk)


# --- "mes inscriptions" as a calendar subscription -----------------------------------------


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No session: the signed token names the person (a wrong or revoked one: 404)."""
    user = calendar_feed.user_for(token)
    if user is None:
        raise Http404
    return calendar_feed.feed_response(user)


@require_POST
@login_required
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    calendar_feed.calendar_key_rotate(user=request.user)
    messages.success(
        request,
        _(
            "Votre lien d’abonnement est renouvelé : l’ancien ne fonctionne plus. Abonnez votre "
            "agenda au nouveau lien."
        ),
    )
    return redirect("events:mine")
