"""One project's pages: create, detail (with its timeline), update, public sheet, team, and the
small POST actions of the detail page (follow, status report, blocker or lever, prototype,
experiment, event).

Who sees the project is `Project.objects.visible_to` (hidden → 404); who may act on it is a
`projects.*` permission (refused → 403).
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, UpdateView
from rules.contrib.views import PermissionRequiredMixin

from caflab.core.errors import InvalidState
from caflab.core.queries import count_of
from caflab.network.models import CogAmbition, Partner, Programme, Theme
from caflab.notifications.models import Follow
from caflab.notifications.services import follow, unfollow
from projects import services
from projects.forms.project import (
    EventForm,
    ExperimentForm,
    LeverForm,
    ProjectForm,
    PrototypeForm,
    StatusReportForm,
    TeamMemberForm,
)
from projects.models import (
    BlockerLever,
    Deployment,
    Experiment,
    GateReview,
    Project,
    ProjectEvent,
    Prototype,
    StageChange,
    StatusReport,
    TeamMember,
)
from projects.origins import shown_origins

LATEST_REPORTS = 5
OPEN = BlockerLever.Status.OPEN


def _project_for(
    request: HttpRequest, code: str, perm: str | None = None, queryset=None
) -> Project:
    """The project if the user sees it (else 404), and may do `perm` on it (else 403)."""
    queryset = Project.objects.all() if queryset is None else queryset
    project = get_object_or_404(queryset.visible_to(request.user), code=code)
    if perm and not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


# --- create and update -------------------------------------------------------------------


class ProjectCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "projects.add_project"
    form_class = ProjectForm
    template_name = "projects/project_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ProjectForm) -> HttpResponse:
        project = services.project_create(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Le projet %(code)s est créé.") % {"code": project.code})
        return redirect(project)


class ProjectUpdateView(LoginRequiredMixin, UpdateView):
    """Edit a project. Its stage is not here: it moves only through gate reviews."""

    form_class = ProjectForm
    template_name = "projects/project_form.html"
    context_object_name = "project"

    def get_object(self, queryset: Any = None) -> Project:
        return _project_for(self.request, self.kwargs["code"], "projects.change_project")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ProjectForm) -> HttpResponse:
        data = form.cleaned_data
        project = services.project_update(
            project=form.instance,
            previous_lead_id=form.initial["lead"],
            themes=data["themes"],
            programmes=data["programmes"],
            cog_ambitions=data["cog_ambitions"],
            partners=data["partners"],
        )
        messages.success(self.request, _("Le projet est enregistré."))
        return redirect(project)


# --- detail --------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One line of the timeline. `kind`: gate, stage, report or event; `row` the model row;
    for a stage, `days` spent in it (so far, when `is_current`)."""

    kind: str
    day: datetime.date
    moment: datetime.datetime  # orders the lines of one day
    row: Any
    days: int | None = None
    is_current: bool = False

    @property
    def sort_key(self) -> tuple[datetime.date, datetime.datetime, int]:
        # On a tie, a gate decision comes before the stage it opened.
        return (self.day, self.moment, TIMELINE_KINDS.index(self.kind))


TIMELINE_KINDS = ("gate", "stage", "report", "event")


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def build_timeline(project: Project, *, now: datetime.datetime) -> list[TimelineEntry]:
    """Stage history (with the time spent in each stage), gate reviews, status reports and
    events, in date order. Reads only the prefetched rows: no query per line."""
    reviews = {review.pk: review for review in project.gate_reviews.all()}
    entries = []
    for review in reviews.values():
        at = _local(review.decided_at or review.created_at)
        entries.append(TimelineEntry("gate", at.date(), at, review))
    changes = sorted(project.stage_changes.all(), key=lambda c: (c.changed_at, c.pk or 0))
    if not changes:  # a project older than its history: its current stage is all we know
        changes = [StageChange(to_stage=project.stage, changed_at=project.stage_changed_at)]
    for change, following in zip(changes, [*changes[1:], None], strict=True):
        at = _local(change.changed_at)
        review = reviews.get(change.gate_review_id)
        # The decision is stamped just after the move it causes: list the move after it.
        moment = max(at, _local(review.decided_at)) if review and review.decided_at else at
        end = following.changed_at if following else now
        days = (end - change.changed_at).days
        entries.append(
            TimelineEntry("stage", at.date(), moment, change, days, is_current=not following)
        )
    entries += [
        TimelineEntry("report", r.reported_on, _local(r.created_at), r)
        for r in project.status_reports.all()
    ]
    entries += [
        TimelineEntry("event", e.occurred_on, _local(e.created_at), e) for e in project.events.all()
    ]
    return sorted(entries, key=lambda e: e.sort_key)


def _labels(model: type[Model], label: Any = None, order: tuple[str, ...] = ("name",)) -> Any:
    """The labels of the project's `model` rows (many-to-many `projects`), as an array."""
    rows = model.objects.filter(projects=OuterRef("pk")).order_by(*order)
    return ArraySubquery(rows.annotate(label=label or F("name")).values("label"))


def _gate_reviews() -> Any:
    """The project's gate reviews; PostgreSQL: each with its `reviewer_ids`, which the
    `projects.score_gate` rule reads instead of a query."""
    reviews = GateReview.objects.select_related("decided_by")
    if connection.vendor != "postgresql":
        return reviews
    named = GateReview.reviewers.through.objects.filter(gatereview=OuterRef("pk"))
    return reviews.annotate(reviewer_ids=ArraySubquery(named.values("user_id")))


def detail_queryset(user: Any = None) -> Any:
    """Everything the detail page reads, in a fixed number of queries. PostgreSQL: the names
    of its themes, programmes, partners and COG ambitions, its deployments by status and, with
    `user`, whether they follow it and their Caf's deployment come with the project."""
    queryset = Project.objects.select_related("lead", "pilot_caf", "sponsor").prefetch_related(
        Prefetch("team_members", queryset=TeamMember.objects.select_related("user")),
        "origins",
        "stage_changes",
        Prefetch("gate_reviews", queryset=_gate_reviews()),
        Prefetch("status_reports", queryset=StatusReport.objects.select_related("author")),
        Prefetch(
            "levers",
            queryset=BlockerLever.objects.select_related("owner", "escalated_by", "pulled_by"),
        ),
        "prototypes",
        Prefetch("experiments", queryset=Experiment.objects.prefetch_related("cafs")),
        "events",
    )
    if connection.vendor == "postgresql":
        # One array of its deployments' statuses, counted in Python: one subquery, not one
        # per status (building and compiling six of them cost more than running them).
        statuses = Deployment.objects.filter(project=OuterRef("pk")).values("status")
        queryset = queryset.annotate(deployment_statuses=ArraySubquery(statuses))
    else:
        queryset = queryset.annotate(
            **{
                f"n_deployments_{status}": count_of(Deployment, "project", status=status)
                for status in Deployment.Status.values
            }
        )
    if connection.vendor == "postgresql":
        ambition = Concat(
            Cast("axis__number", CharField()),
            Value("."),
            Cast("number", CharField()),
            Value(" "),
            "title",
            output_field=CharField(),
        )
        # Its partners' ids: the partners' rules (projects.permissions) read them, no query.
        partner_ids = Project.partners.through.objects.filter(project=OuterRef("pk"))
        queryset = queryset.annotate(
            partner_ids=ArraySubquery(partner_ids.values("partner_id")),
            theme_names=_labels(Theme),
            programme_names=_labels(Programme),
            partner_names=_labels(Partner),
            ambition_labels=_labels(CogAmbition, ambition, ("axis__number", "number")),
        )
    if user is not None:
        follows = Follow.objects.filter(
            content_type=ContentType.objects.get_for_model(Project),
            object_id=OuterRef("pk"),
            user=user.pk,
        )
        own = Deployment.objects.filter(project=OuterRef("pk"), caf=user.caf_id)
        queryset = queryset.annotate(is_followed=Exists(follows), caf_declared=Exists(own))
    return queryset


def _with_labels(project: Project) -> Project:
    """Elsewhere than PostgreSQL (SQLite in development): the labels, a query each."""
    if not hasattr(project, "theme_names"):
        project.theme_names = [str(t) for t in project.themes.all()]
        project.programme_names = [str(p) for p in project.programmes.all()]
        project.partner_names = [str(p) for p in project.partners.all()]
        project.ambition_labels = [str(a) for a in project.cog_ambitions.select_related("axis")]
    return project


def _child_forms(
    project: Project, data: Any = None, *, can_change: bool = True
) -> dict[str, BaseForm]:
    """The add forms of the detail page, each posting to its own URL: the follow-up ones
    (status report, blocker or lever, prototype) for whoever contributes, the others for the
    project's editors only (`can_change`)."""

    def action(name: str) -> str:
        return reverse(f"projects:{name}", kwargs={"code": project.code})

    follow_up = {
        "report_form": StatusReportForm(
            data,
            instance=StatusReport(project=project),
            action=action("status-report-add"),
            initial={"reported_on": timezone.localdate()},
        ),
        "lever_form": LeverForm(
            data, instance=BlockerLever(project=project), action=action("lever-add")
        ),
        "prototype_form": PrototypeForm(
            data, instance=Prototype(project=project), action=action("prototype-add")
        ),
    }
    if not can_change:
        return follow_up
    return {
        **follow_up,
        "experiment_form": ExperimentForm(
            data, instance=Experiment(project=project), action=action("experiment-add")
        ),
        "event_form": EventForm(
            data, instance=ProjectEvent(project=project), action=action("event-add")
        ),
    }


def _actions(user: Any, project: Project) -> dict[str, Any]:
    """What the user may do from the page: the template shows those buttons only."""
    open_review = next((r for r in project.gate_reviews.all() if r.is_open), None)
    may_request_gate = user.has_perm("projects.request_gate", project)
    caf_declared = project.caf_declared
    return {
        "can_change": user.has_perm("projects.change_project", project),
        "can_contribute": user.has_perm("projects.contribute", project),
        "open_review": open_review,
        "can_request_gate": bool(
            may_request_gate and open_review is None and project.next_stage is not None
        ),
        "can_open_review": open_review is not None
        and (may_request_gate or user.has_perm("projects.score_gate", open_review)),
        # "We want it in our Caf": once per Caf, so not when the Caf already has a deployment.
        "can_declare": user.caf_id is not None
        and not caf_declared
        and user.has_perm("projects.declare_deployment", project),
        "can_follow": user.has_perm("projects.follow_project", project),
        "can_escalate": user.has_perm("projects.escalate_lever", project),
        "can_pull": user.has_perm("projects.pull_lever", project),
        "is_following": project.is_followed,
    }


def _deployment_counts(project: Project) -> list[tuple[str, int]]:
    if hasattr(project, "deployment_statuses"):
        by_status = Counter(project.deployment_statuses or ())
        counts = [(label, by_status[value]) for value, label in Deployment.Status.choices]
    else:
        counts = [
            (label, getattr(project, f"n_deployments_{value}"))
            for value, label in Deployment.Status.choices
        ]
    return [(label, n) for label, n in counts if n]


class ProjectDetailView(LoginRequiredMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_object(self, queryset: Any = None) -> Project:
        project = _project_for(
            self.request, self.kwargs["code"], queryset=detail_queryset(self.request.user)
        )
        return _with_labels(project)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.object
        actions = _actions(self.request.user, project)
        deployment_counts = _deployment_counts(project)
        context.update(
            **actions,
            # A link only to the sources the reader may open; one query per kind of source.
            origins=shown_origins(self.request.user, list(project.origins.all())),
            latest_reports=list(project.status_reports.all())[:LATEST_REPORTS],
            levers=sorted(project.levers.all(), key=lambda lv: lv.status != OPEN),
            deployment_counts=deployment_counts,
            deployment_total=sum(n for _label, n in deployment_counts),
            timeline=build_timeline(project, now=timezone.now()),
            **(
                _child_forms(project, can_change=actions["can_change"])
                if actions["can_contribute"]
                else {}
            ),
        )
        return context


# --- public sheet --------------------------------------------------------------------------


# The public sheet's body, cached: the key carries the project's and its deployments' latest
# change, so any change to what the sheet shows (the project saved, a deployment declared,
# moved or removed) gives a new key; the timeout only bounds what a renamed theme keeps.
PUBLIC_SHEET_CACHE_SECONDS = 60 * 60


def public_sheet_key(project: Project) -> str:
    """`project` comes with `deployments_changed` and `n_deployments` (PublicSheetView)."""
    changed = project.deployments_changed.isoformat() if project.deployments_changed else "-"
    return (
        f"projects:public-sheet:{get_language()}:{project.pk}:{project.updated_at.isoformat()}:"
        f"{changed}:{project.n_deployments}"
    )


class PublicSheetView(DetailView):
    """The public project sheet: anyone, signed in or not, when the project is published; a 404
    for everyone otherwise (the lab included: this is the public view). No personal data.
    The same for everyone: its body is cached (`public_sheet_key`), the page around it (menu,
    CSRF token) is rendered per visitor. One query when cached."""

    template_name = "projects/public_sheet.html"
    context_object_name = "project"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self) -> Any:
        return Project.objects.published().annotate(
            deployments_changed=Max("deployments__updated_at"),
            n_deployments=Count("deployments"),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.object
        key = public_sheet_key(project)
        body = cache.get(key)
        if body is None:
            live = Deployment.objects.live().select_related("caf").order_by("caf__position")
            full = (
                Project.objects.select_related("pilot_caf")
                .prefetch_related("themes", Prefetch("deployments", queryset=live))
                .get(pk=project.pk)
            )
            body = render_to_string("projects/includes/public_sheet_body.html", {"project": full})
            cache.set(key, body, PUBLIC_SHEET_CACHE_SECONDS)
        context["sheet"] = mark_safe(body)  # noqa: S308 -- our own template's output, escaped
        return context


# --- follow --------------------------------------------------------------------------------


@require_POST
@login_required
def follow_toggle(request: HttpRequest, code: str) -> HttpResponse:
    """Follow or stop following. The form says which (`action`), so a double click or a stale
    page never flips the choice back."""
    project = _project_for(request, code, "projects.follow_project")
    if request.POST.get("action") == "unfollow":
        unfollow(user=request.user, obj=project)
        messages.success(request, _("Vous ne suivez plus ce projet."))
    else:
        follow(user=request.user, obj=project)
        messages.success(
            request,
            _("Vous suivez ce projet : ses décisions et ses avancées vous seront signalées."),
        )
    return redirect(project)


# --- team ----------------------------------------------------------------------------------


ROLE_ORDER = {role: index for index, role in enumerate(TeamMember.Role.values)}


class TeamView(LoginRequiredMixin, DetailView):
    """The team with its roles. Editors add someone (or change a role) and remove members,
    except the lead, who changes through the project form."""

    template_name = "projects/team.html"
    context_object_name = "project"

    def get_object(self, queryset: Any = None) -> Project:
        return _project_for(self.request, self.kwargs["code"])

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        self.object = project = _project_for(request, code, "projects.change_project")
        if "retirer" in request.POST:
            _remove_member(request, project, request.POST["retirer"])
            return redirect("projects:team", code=project.code)
        form = TeamMemberForm(request.POST, project=project)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        member = services.team_member_set(project=project, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s fait partie de l’équipe : %(role)s.")
            % {"name": member.user, "role": member.get_role_display()},
        )
        return redirect("projects:team", code=project.code)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.object
        can_change = self.request.user.has_perm("projects.change_project", project)
        members = sorted(
            project.team_members.select_related("user"),
            key=lambda m: (ROLE_ORDER[m.role], str(m.user).lower()),
        )
        for member in members:
            member.is_removable = can_change and not _is_lead(project, member)
        if can_change and "form" not in context:
            context["form"] = TeamMemberForm(project=project)
        context.update(members=members, can_change=can_change)
        return context


def _is_lead(project: Project, member: TeamMember) -> bool:
    return member.user_id == project.lead_id or member.role == TeamMember.Role.LEAD


def _remove_member(request: HttpRequest, project: Project, member_id: str) -> None:
    try:
        # Not a number: no such member, so "already gone".
        member = services.team_member_remove(
            project=project, member_id=int(member_id) if member_id.isdigit() else 0
        )
    except services.AlreadyDone as gone:
        messages.info(request, str(gone))
    except InvalidState as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("%(name)s ne fait plus partie de l’équipe.") % {"name": member.user}
        )


# --- the small add forms of the detail page --------------------------------------------------


def _add_to_project(
    request: HttpRequest,
    code: str,
    *,
    form_class: type[BaseForm],
    model: type[Model],
    heading: str,
    save: Callable[[Project, Any], object],
    success: str,
    anchor: str,
    perm: str = "projects.change_project",
) -> HttpResponse:
    """Validate one add form of the detail page: saved → back to the detail; invalid → its own
    page, with what was typed and the errors."""
    project = _project_for(request, code, perm)
    action = reverse(request.resolver_match.view_name, kwargs={"code": project.code})
    form = form_class(request.POST, instance=model(project=project), action=action)
    if not form.is_valid():
        return render(
            request,
            "projects/project_add_form.html",
            {"project": project, "form": form, "heading": heading},
        )
    save(project, form)
    messages.success(request, success)
    return redirect(f"{project.get_absolute_url()}#{anchor}")


@require_POST
@login_required
def status_report_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add_to_project(
        request,
        code,
        form_class=StatusReportForm,
        model=StatusReport,
        heading=_("Nouveau point d’étape"),
        save=lambda project, form: services.status_report_add(
            project=project, by=request.user, **form.cleaned_data
        ),
        success=_("Le point d’étape est enregistré ; la santé du projet est à jour."),
        anchor="points-etape",
        perm="projects.contribute",
    )


@require_POST
@login_required
def lever_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add_to_project(
        request,
        code,
        form_class=LeverForm,
        model=BlockerLever,
        heading=_("Nouveau frein ou levier"),
        save=lambda project, form: services.lever_add(
            project=project, by=request.user, **form.cleaned_data
        ),
        success=_("Le frein ou levier est enregistré."),
        anchor="freins-leviers",
        perm="projects.contribute",
    )


@require_POST
@login_required
def lever_lift(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for(request, code, "projects.change_project")
    lever = get_object_or_404(project.levers, pk=pk)
    try:
        services.lever_lift(lever=lever, by=request.user)
    except services.AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(request, _("%(kind)s levé.") % {"kind": lever.get_kind_display()})
    return redirect(f"{project.get_absolute_url()}#freins-leviers")


def _back_to_levers(request: HttpRequest, project: Project) -> HttpResponse:
    """Back to where the button was: the cockpit's list of blockers and levers (`next`, a path
    of this site), else the project's blockers and levers."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(f"{project.get_absolute_url()}#freins-leviers")


def _lever_action(
    request: HttpRequest, code: str, pk: int, *, perm: str, act: Callable[..., Any], done: str
) -> HttpResponse:
    """A blocker or lever the user sees (else 404) and may act on (else 403); a second click,
    or another person first, ends in "already done", never an error."""
    project = _project_for(request, code, perm)
    lever = get_object_or_404(project.levers, pk=pk)
    try:
        act(lever=lever, by=request.user)
    except services.AlreadyDone as already:
        messages.info(request, str(already))
    else:
        messages.success(request, done)
    return _back_to_levers(request, project)


@require_POST
@login_required
def lever_escalate(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _lever_action(
        request,
        code,
        pk,
        perm="projects.escalate_lever",
        act=services.lever_escalate,
        done=_("Le frein ou levier est soumis à l’arbitrage de la direction."),
    )


@require_POST
@login_required
def lever_pull(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _lever_action(
        request,
        code,
        pk,
        perm="projects.pull_lever",
        act=services.lever_pull,
        done=_("C’est noté : la direction a actionné ce levier ou arbitré ce frein."),
    )


@require_POST
@login_required
def prototype_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add_to_project(
        request,
        code,
        form_class=PrototypeForm,
        model=Prototype,
        heading=_("Nouveau prototype"),
        save=lambda project, form: services.prototype_add(
            project=project, by=request.user, **form.cleaned_data
        ),
        success=_("Le prototype est enregistré."),
        anchor="prototypes",
        perm="projects.contribute",
    )


@require_POST
@login_required
def experiment_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add_to_project(
        request,
        code,
        form_class=ExperimentForm,
        model=Experiment,
        heading=_("Nouvelle expérimentation"),
        save=lambda project, form: form.save(),
        success=_("L’expérimentation est enregistrée."),
        anchor="experimentations",
    )


@require_POST
@login_required
def event_add(request: HttpRequest, code: str) -> HttpResponse:
    return _add_to_project(
        request,
        code,
        form_class=EventForm,
        model=ProjectEvent,
        heading=_("Nouvel événement"),
        save=lambda project, form: form.save(),
        success=_("L’événement est ajouté à la chronologie."),
        anchor="chronologie",
    )
