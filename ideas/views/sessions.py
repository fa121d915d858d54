"""Creativity sessions: a directorate requests one, the lab qualifies, schedules and holds it,
enters the ideas it produced and its debrief document.

Who sees a request is `SessionRequest.objects.visible_to` and who sees a session is
`sessions_visible_to` (hidden → 404); who may act is a `projects.*` permission (refused → 403).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView
from rules.contrib.views import PermissionRequiredMixin

from caflab.core.uploads import download_response, extension_of
from ideas.forms.sessions import (
    DEBRIEF_KINDS,
    DEFAULT_IDEA_ROWS,
    MAX_IDEA_ROWS,
    RequestMoveForm,
    SessionForm,
    SessionRequestForm,
    session_idea_formset,
)
from ideas.models import CreativitySession, Idea, SessionRequest, SessionRequestChange
from ideas.permissions import sessions_visible_to
from ideas.services import sessions as services
from projects.services import AlreadyDone

RequestStatus = SessionRequest.Status


def _session_for(request: HttpRequest, pk: int, perm: str | None = None) -> CreativitySession:
    """The session if the user sees it (else 404), and may do `perm` on it (else 403)."""
    session = get_object_or_404(
        sessions_visible_to(request.user).select_related("caf", "request__directorate"), pk=pk
    )
    if perm and not request.user.has_perm(perm, session):
        raise PermissionDenied
    return session


def _request_for(request: HttpRequest, pk: int, perm: str | None = None) -> SessionRequest:
    session_request = get_object_or_404(
        SessionRequest.objects.visible_to(request.user).select_related(
            "directorate", "requested_by", "handled_by"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, session_request):
        raise PermissionDenied
    return session_request


# --- session requests ----------------------------------------------------------------------


class RequestListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The lab's queue of requests (all of them); a directorate member's own directorate's."""

    permission_required = "ideas.view_session_requests"
    template_name = "ideas/session_request_list.html"
    context_object_name = "requests"
    paginate_by = 30

    def get_status(self) -> str:
        status = self.request.GET.get("statut", "")
        return status if status in RequestStatus.values else ""

    def get_queryset(self) -> Any:
        queryset = (
            SessionRequest.objects.visible_to(self.request.user)
            .select_related("directorate", "requested_by", "handled_by")
            .annotate(n_sessions=Count("sessions"))
            .order_by("-created_at", "-pk")
        )
        if status := self.get_status():
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            statuses=RequestStatus.choices, current_status=self.get_status(), **kwargs
        )


class RequestCreateView(LoginRequiredMixin, PermissionRequiredMixin, CreateView):
    permission_required = "ideas.request_session"
    form_class = SessionRequestForm
    template_name = "ideas/session_request_form.html"

    def form_valid(self, form: SessionRequestForm) -> HttpResponse:
        session_request = services.session_request_create(by=self.request.user, **form.cleaned_data)
        messages.success(
            self.request,
            _("Votre demande est envoyée au CafLab. Vous serez prévenu de chacune de ses étapes."),
        )
        return redirect(session_request)


def _request_page(
    request: HttpRequest, session_request: SessionRequest, form: RequestMoveForm | None = None
) -> HttpResponse:
    user = request.user
    can_move = user.has_perm("ideas.move_session_request", session_request)
    choices = services.request_next_statuses(session_request.status)
    if can_move and choices and form is None:
        form = RequestMoveForm(
            choices=choices,
            action=reverse("ideas:session-request-move", kwargs={"pk": session_request.pk}),
        )
    context = {
        "session_request": session_request,
        "changes": list(
            SessionRequestChange.objects.filter(request=session_request)
            .select_related("changed_by")
            .order_by("changed_at", "pk")
        ),
        "sessions": list(
            sessions_visible_to(user)
            .filter(request=session_request)
            .select_related("caf")
            .order_by("held_on")
        ),
        "move_form": form if can_move and choices else None,
        "can_schedule": user.has_perm("ideas.add_session")
        and session_request.status != RequestStatus.DECLINED,
    }
    return render(request, "ideas/session_request_detail.html", context)


class RequestDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _request_page(request, _request_for(request, pk))


@require_POST
@login_required
def request_move(request: HttpRequest, pk: int) -> HttpResponse:
    session_request = _request_for(request, pk, "ideas.move_session_request")
    form = RequestMoveForm(
        request.POST,
        choices=services.request_next_statuses(session_request.status),
        action=reverse("ideas:session-request-move", kwargs={"pk": pk}),
    )
    # A double click: the status just set is no longer a choice; say it is done.
    if not form.is_valid() and request.POST.get("status") == session_request.status:
        messages.info(request, _("La demande a déjà ce statut."))
        return redirect(session_request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session_request = services.session_request_move(
                request=session_request,
                by=request.user,
                status=data["status"],
                note=data["note"],
                reason=data["reason"],
            )
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
            return redirect(session_request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("La demande est maintenant : %(status)s. Le demandeur est prévenu.")
                % {"status": session_request.get_status_display().lower()},
            )
            return redirect(session_request)
    return _request_page(request, session_request, form)


# --- sessions ------------------------------------------------------------------------------


class SessionListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "ideas.view_sessions"
    template_name = "ideas/session_list.html"
    context_object_name = "sessions"
    paginate_by = 30

    def get_queryset(self) -> Any:
        return (
            sessions_visible_to(self.request.user)
            .select_related("caf", "request__directorate")
            .annotate(n_ideas=Count("ideas"))
            .order_by("-held_on", "-pk")
        )


def _session_fields(form: SessionForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("facilitators")
    if not data.get("debrief_file"):
        data.pop("debrief_file", None)
    return data


class SessionCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Schedule a session; `?demande=<pk>` starts it from a directorate's request."""

    permission_required = "ideas.add_session"
    template_name = "ideas/session_form.html"

    def _from_request(self) -> SessionRequest | None:
        pk = self.request.GET.get("demande", "")
        if not pk.isdigit():
            return None
        return (
            SessionRequest.objects.visible_to(self.request.user)
            .exclude(status=RequestStatus.DECLINED)
            .filter(pk=pk)
            .first()
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"facilitators": [request.user]}
        if session_request := self._from_request():
            initial.update(request=session_request.pk, title=session_request.title)
        form = SessionForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SessionForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        session = services.session_create(
            by=request.user,
            facilitators=form.cleaned_data["facilitators"],
            **_session_fields(form),
        )
        messages.success(request, _("La séance est programmée."))
        return redirect(session)


class SessionUpdateView(LoginRequiredMixin, View):
    template_name = "ideas/session_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk, "ideas.change_session")
        return render(
            request,
            self.template_name,
            {"form": SessionForm(instance=session, user=request.user), "session": session},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk, "ideas.change_session")
        was_held, previous_request_id = session.is_held, session.request_id
        form = SessionForm(request.POST, request.FILES, instance=session, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "session": session})
        session = services.session_update(
            session=form.instance,
            by=request.user,
            facilitators=form.cleaned_data["facilitators"],
            was_held=was_held,
            previous_request_id=previous_request_id,
        )
        messages.success(request, _("La séance est enregistrée."))
        return redirect(session)


class SessionDetailView(LoginRequiredMixin, View):
    """The session, its facilitators, its outputs (ideas, and what each became) and its
    debrief; the lab and the facilitators mark it held from here."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk)
        ideas = (
            Idea.objects.filter(session=session)
            .select_related("author", "project")
            .order_by("created_at", "pk")
        )
        context = {
            "session": session,
            "facilitators": list(session.facilitators.order_by("last_name", "first_name")),
            "ideas": list(ideas),
            "can_change": request.user.has_perm("ideas.change_session", session),
            "can_see_request": session.request_id is not None
            and SessionRequest.objects.visible_to(request.user)
            .filter(pk=session.request_id)
            .exists(),
        }
        return render(request, "ideas/session_detail.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk, "ideas.change_session")
        if request.POST.get("action") != "tenue":
            return redirect(session)
        try:
            services.session_mark_held(session=session, by=request.user)
        except AlreadyDone as exc:
            messages.info(request, str(exc.args[0]))
        else:
            messages.success(request, _("La séance est marquée comme tenue."))
        return redirect(session)


def _default_author(session: CreativitySession, user: Any) -> str:
    """The facilitator who enters the ideas, else the first facilitator, else the user."""
    facilitators = list(session.facilitators.order_by("last_name", "first_name", "email"))
    if any(f.pk == user.pk for f in facilitators) or not facilitators:
        return user.email
    return facilitators[0].email


class SessionIdeasView(LoginRequiredMixin, View):
    """Enter the ideas a session produced, several at once; each is linked to the session and
    triaged like any idea of the box."""

    template_name = "ideas/session_ideas.html"

    def _rows(self) -> int:
        value = self.request.GET.get("lignes", "")
        return min(int(value), MAX_IDEA_ROWS) if value.isdigit() else DEFAULT_IDEA_ROWS

    def _render(self, session: CreativitySession, formset: Any) -> HttpResponse:
        ideas = Idea.objects.filter(session=session).select_related("author", "project")
        return render(
            self.request,
            self.template_name,
            {
                "session": session,
                "formset": formset,
                "ideas": list(ideas.order_by("created_at", "pk")),
                "more_rows": min(formset.total_form_count() + 5, MAX_IDEA_ROWS),
                "max_rows": MAX_IDEA_ROWS,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk, "ideas.change_session")
        formset = session_idea_formset(
            default_author=_default_author(session, request.user), rows=self._rows()
        )
        return self._render(session, formset)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session_for(request, pk, "ideas.change_session")
        formset = session_idea_formset(
            request.POST, default_author=_default_author(session, request.user)
        )
        if not formset.is_valid():
            return self._render(session, formset)
        ideas = services.session_ideas_add(session=session, by=request.user, rows=formset.rows())
        messages.success(
            request,
            ngettext(
                "%(count)d idée est enregistrée, liée à la séance.",
                "%(count)d idées sont enregistrées, liées à la séance.",
                len(ideas),
            )
            % {"count": len(ideas)},
        )
        return redirect(f"{session.get_absolute_url()}#idees")


@login_required
def debrief_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The debrief document, to those who see the session, always as a download."""
    session = _session_for(request, pk)
    if not session.debrief_file:
        raise Http404
    name = slugify(session.title)[:60] or "seance"
    extension = extension_of(session.debrief_file.name)
    return download_response(
        session.debrief_file, filename=f"restitution-{name}.{extension}", kinds=DEBRIEF_KINDS
    )
