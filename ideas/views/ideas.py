"""The idea box: the list (search and filters), submitting an idea (with similar ideas shown
while typing), "my ideas", each idea's page (history, what it became, supports, threaded
comments, follow, scorecard), its status changes, the triage queue and its bulk assignment,
and the attachments' downloads.

Who sees an idea is `Idea.objects.visible_to` (hidden → 404); the idea box's pages are the
network's (`ideas.view_ideas`: partners and citizens → 403); each action is a
`projects.*_idea` permission (refused → 403).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, ListView, UpdateView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from caflab.accounts.models import Role
from caflab.core.queries import count_of
from caflab.core.uploads import download_response
from caflab.engagement.models import CommentStatus
from caflab.engagement.views import report_comment
from caflab.notifications.services import follow, is_following, unfollow
from ideas import filters as filters_ideas
from ideas.filters import IdeaFilter, TriageFilter
from ideas.forms.ideas import (
    ATTACHMENT_KINDS,
    IdeaCommentForm,
    IdeaForm,
    IdeaScoreForm,
    IdeaStatusForm,
    TriageAssignForm,
)
from ideas.models import (
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaQuerySet,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
)
from ideas.services import ideas as services
from projects.models import Project
from projects.origins import kind_named
from projects.services import AlreadyDone


class IdeaBoxMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous → login page; signed in outside the network → 403."""

    permission_required = "ideas.view_ideas"


def with_list_data(ideas: IdeaQuerySet) -> IdeaQuerySet:
    """What a list row reads (the card data, plus the comment count and the idea merged into),
    in a fixed number of queries. The counts are correlated subqueries: computed for the page's
    rows only, and a second joined count would multiply the rows of the first."""
    return (
        ideas.with_card_data()
        # Each joined table multiplies the join orders PostgreSQL weighs: with the seven of
        # the card data the plan took 15 ms, ten times the run. Only the author and the Caf
        # (on every row) are joined; the project and the idea merged into (on a few rows)
        # are prefetched, with no query at all when no row has one.
        .select_related(None)
        .select_related("author", "caf")
        .prefetch_related("project", "merged_into")
        .annotate(n_comments=count_of(IdeaComment, "idea", status=CommentStatus.VISIBLE))
    )


def _idea_for(request: HttpRequest, pk: int, perm: str | None = None, queryset=None) -> Idea:
    """The idea if the user sees it (else 404), and may do `perm` on it (else 403)."""
    queryset = Idea.objects.all() if queryset is None else queryset
    idea = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, idea):
        raise PermissionDenied
    return idea


# --- the idea box --------------------------------------------------------------------------


class IdeaListView(IdeaBoxMixin, FilterView):
    filterset_class = IdeaFilter
    template_name = "ideas/idea_list.html"
    context_object_name = "ideas"
    paginate_by = 20

    def get_queryset(self) -> IdeaQuerySet:
        return with_list_data(Idea.objects.visible_to(self.request.user)).order_by(
            "-created_at", "pk"
        )

    def paginate_queryset(self, queryset: IdeaQuerySet, page_size: int) -> tuple:
        order = queryset.query.order_by
        if not order or order[0] not in ("-n_supports", "title"):
            # The other sorts read an index or the search rank: the row query stays one
            # query, and its count subqueries run for the page's rows only.
            return super().paginate_queryset(queryset, page_size)
        # Sorting 20,000 wide rows (title), or ordering by a count subquery run for every idea
        # ("les plus soutenues"), costs hundreds of ms: the bare ids are sorted instead (the
        # supports by one grouped join), and the page's rows read their card data in the same
        # query (`pk IN (the sorted page)`), sorted again.
        ranked = queryset.values("pk")
        if order[0] == "-n_supports":
            ranked = ranked.alias(n_supports_ranked=Count("supports")).order_by(
                "-n_supports_ranked", *order[1:]
            )
        self.count_from = queryset  # counting the grouped query would group every idea again
        paginator, page, ids, is_paginated = super().paginate_queryset(ranked, page_size)
        page.object_list = with_list_data(Idea.objects.filter(pk__in=ids)).order_by(*order)
        return paginator, page, page.object_list, is_paginated

    def get_paginator(self, queryset: Any, per_page: int, **kwargs: Any) -> Paginator:
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if hasattr(self, "count_from"):
            paginator.count = self.count_from.count()
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key != "page"
        )
        return context


class MyIdeasView(IdeaBoxMixin, ListView):
    """The ideas the user wrote or co-wrote, whatever became of them."""

    template_name = "ideas/idea_mine.html"
    context_object_name = "ideas"
    paginate_by = 20

    def get_queryset(self) -> IdeaQuerySet:
        user = self.request.user
        # Ids first: the co-authors join would repeat an idea.
        mine = Idea.objects.filter(Q(author=user) | Q(co_authors=user)).values("pk")
        return with_list_data(Idea.objects.filter(pk__in=mine)).order_by("-created_at", "pk")


# --- submit and edit -----------------------------------------------------------------------


def _similar(request: HttpRequest, data: Any, exclude: int | None = None) -> list[Idea]:
    ideas = Idea.objects.visible_to(request.user)
    if exclude:
        ideas = ideas.exclude(pk=exclude)
    return filters_ideas.similar_ideas(
        ideas, title=data.get("title", "")[:200], problem=data.get("problem", "")[:2000]
    )


def _typed_values(request: HttpRequest) -> dict[str, Any]:
    """What was typed, as the initial values of an unbound form: the "check similar ideas"
    step shows it again without error messages (nothing was submitted yet)."""
    data: dict[str, Any] = {
        name: request.POST.get(name, "")
        for name in ("problem", "title", "solution", "target_publics", "caf", "co_authors")
    }
    data["themes"] = request.POST.getlist("themes")
    return data


class IdeaCreateView(IdeaBoxMixin, FormView):
    permission_required = "ideas.add_idea"
    form_class = IdeaForm
    template_name = "ideas/idea_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "verifier" in request.POST:  # the non-JS way to see similar ideas before sending
            form = IdeaForm(initial=_typed_values(request), user=request.user)
            return self.render_to_response(
                self.get_context_data(
                    form=form, similar=_similar(request, request.POST), checked=True
                )
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: IdeaForm) -> HttpResponse:
        data = form.cleaned_data
        idea = services.idea_submit(
            by=self.request.user,
            title=data["title"],
            problem=data["problem"],
            solution=data["solution"],
            target_publics=data["target_publics"],
            caf=data["caf"],
            themes=data["themes"],
            co_authors=data["co_authors"],
            attachments=data["attachments"],
        )
        messages.success(
            self.request,
            _("Votre idée est soumise. Vous serez informé(e) de chacune de ses suites."),
        )
        return redirect(idea)

    def form_invalid(self, form: IdeaForm) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(form=form, similar=_similar(self.request, self.request.POST))
        )


class IdeaUpdateView(LoginRequiredMixin, UpdateView):
    """The authors edit their idea until its examination starts (the lab, at any time)."""

    form_class = IdeaForm
    template_name = "ideas/idea_form.html"
    context_object_name = "idea"

    def get_object(self, queryset: Any = None) -> Idea:
        queryset = Idea.objects.prefetch_related("co_authors")
        return _idea_for(self.request, self.kwargs["pk"], "ideas.change_idea", queryset)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: IdeaForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.idea_update(
                idea=self.object,
                by=self.request.user,
                title=data["title"],
                problem=data["problem"],
                solution=data["solution"],
                target_publics=data["target_publics"],
                caf=data["caf"],
                themes=data["themes"],
                co_authors=data["co_authors"],
                attachments=data["attachments"],
            )
        except AlreadyDone as done:
            messages.info(self.request, str(done))
            return redirect(self.object)
        messages.success(self.request, _("Votre idée est enregistrée."))
        return redirect(self.object)


@require_GET
@login_required
def similar_ideas(request: HttpRequest) -> HttpResponse:
    """The few ideas closest to the title and problem being typed (htmx, after a pause)."""
    if not request.user.has_perm("ideas.view_ideas"):
        raise PermissionDenied
    exclude = request.GET.get("exclude", "")
    ideas = _similar(request, request.GET, int(exclude) if exclude.isdigit() else None)
    searched = filters_ideas.has_search_words(
        request.GET.get("title", ""), request.GET.get("problem", "")
    )
    return render(
        request,
        "ideas/includes/idea_similar.html",
        {"similar": ideas, "searched": searched},
    )


# --- one idea ------------------------------------------------------------------------------


# Comment threads per part of an idea's page: the latest first, each with all its replies;
# "Voir les commentaires précédents" loads the next part (htmx, or ?page= without JavaScript).
COMMENT_THREADS = 30


def detail_queryset(user: Any) -> IdeaQuerySet:
    """Everything the idea's page reads but its comments (a part at a time: `_comment_threads`),
    in a fixed number of queries. The counts and the user's support come with the idea."""
    return (
        # Three joins, not seven: the plan of seven took longer than the query. What few ideas
        # have (a project, a merge, a session, a challenge) is prefetched: no query when null.
        Idea.objects.select_related("author", "caf", "reviewer")
        .prefetch_related(
            "project",
            "merged_into",
            "session",
            "challenge",
            "themes",
            "co_authors",
            "attachments",
            Prefetch(
                "status_changes",
                queryset=IdeaStatusChange.objects.select_related("changed_by").order_by(
                    "changed_at", "pk"
                ),
            ),
            Prefetch("merged_ideas", queryset=Idea.objects.only("pk", "title", "merged_into")),
        )
        .annotate(
            n_supports=count_of(IdeaSupport, "idea"),
            has_supported=Exists(IdeaSupport.objects.filter(idea=OuterRef("pk"), user=user.pk)),
            n_comments=count_of(IdeaComment, "idea"),
            n_threads=count_of(IdeaComment, "idea", parent__isnull=True),
        )
    )


def _comment_threads(idea: Idea, page: str | None, user: Any) -> Page:
    """One part of the idea's threads, the latest first, each with all its replies (a thread
    is never cut in two). `idea` comes from `detail_queryset` (its thread count). Each comment
    says whether it is the user's and whether the user reported it (in the same queries)."""
    reported = Exists(IdeaCommentReport.objects.filter(comment=OuterRef("pk"), reporter=user.pk))
    replies = (
        IdeaComment.objects.select_related("author")
        .annotate(is_reported_by_me=reported)
        .order_by("created_at", "pk")
    )
    threads = (
        IdeaComment.objects.filter(idea=idea, parent__isnull=True)
        .select_related("author")
        .annotate(is_reported_by_me=reported)
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(threads, COMMENT_THREADS)
    paginator.count = idea.n_threads  # counted with the idea: no second COUNT query
    part = paginator.get_page(page)
    part.object_list = list(part.object_list)
    for thread in part.object_list:  # what the template loops over: the thread, its replies
        thread.comments = [thread, *thread.replies.all()]
        for comment in thread.comments:
            comment.is_mine = comment.author_id == user.pk
    return part


def _comment_url(idea: Idea, comment: IdeaComment) -> str:
    """The idea's page at the part holding the comment's thread, anchored on the comment."""
    thread = comment.parent or comment
    newer = IdeaComment.objects.filter(idea=idea, parent__isnull=True).filter(
        Q(created_at__gt=thread.created_at) | Q(created_at=thread.created_at, pk__gt=thread.pk)
    )
    part = newer.count() // COMMENT_THREADS + 1
    query = f"?page={part}" if part > 1 else ""
    return f"{idea.get_absolute_url()}{query}#commentaire-{comment.pk}"


def _detail_page(
    request: HttpRequest,
    idea: Idea,
    *,
    comment_form: IdeaCommentForm | None = None,
    score_form: IdeaScoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The idea's page with the forms the user may use (bound ones when showing errors)."""
    user = request.user
    can_score = user.has_perm("ideas.score_idea", idea) and idea.status in (
        Idea.Status.SUBMITTED,
        Idea.Status.UNDER_REVIEW,
        Idea.Status.SHELVED,
    )
    can_triage = user.has_perm("ideas.triage_idea", idea)
    summary = scores = None
    if can_triage or can_score:
        summary = services.idea_summary(idea)
        scores = list(
            IdeaScore.objects.filter(idea=idea)
            .select_related("criterion", "reviewer")
            .order_by("criterion__position", "criterion", "reviewer__last_name")
        )
        if can_score and score_form is None:
            score_form = IdeaScoreForm(
                criteria=[row["criterion"] for row in summary["rows"]],
                existing=[s for s in scores if s.reviewer_id == user.pk],
                action=reverse("ideas:idea-score", kwargs={"pk": idea.pk}),
            )
    project_visible = bool(
        idea.project_id and Project.objects.visible_to(user).filter(pk=idea.project_id).exists()
    )
    can_comment = user.has_perm("ideas.comment_idea", idea)
    threads = _comment_threads(idea, request.GET.get("page"), user)
    can_moderate = user.has_perm("ideas.moderate_idea_comments")
    # Reporting is the network's (never one's own comment: the template checks `is_mine`).
    can_report = user.is_network_member
    if request.htmx and "page" in request.GET:  # "Voir les commentaires précédents"
        return render(
            request,
            "ideas/includes/idea_comment_threads.html",
            {
                "idea": idea,
                "threads": threads,
                "can_moderate": can_moderate,
                "can_comment": can_comment,
                "can_report": can_report,
            },
        )
    context = {
        "idea": idea,
        "co_authors": list(idea.co_authors.all()),
        "history": list(idea.status_changes.all()),
        "threads": threads,
        "n_comments": idea.n_comments,
        "n_supports": idea.n_supports,
        "has_supported": idea.has_supported,
        "is_following": is_following(user=user, obj=idea),
        "project_visible": project_visible,
        "can_change": user.has_perm("ideas.change_idea", idea),
        "can_support": user.has_perm("ideas.support_idea", idea)
        and idea.status != Idea.Status.MERGED,
        "can_comment": can_comment,
        "can_follow": user.has_perm("ideas.follow_idea", idea),
        "can_moderate": can_moderate,
        "can_report": can_report,
        # The one moderation queue, filtered to the ideas' comments.
        "moderation_url": f"{reverse('engagement:queue')}?type=idees-commentaires"
        if can_moderate
        else None,
        "can_triage": can_triage and bool(services.allowed_moves(idea)),
        "comment_form": (comment_form or IdeaCommentForm(idea=idea)) if can_comment else None,
        "score_form": score_form if can_score else None,
        "summary": summary,
        "scores": scores,
        "born_from": _born_from(user, idea),
    }
    return render(request, "ideas/idea_detail.html", context, status=status)


def _born_from(user: Any, idea: Idea) -> dict[str, str] | None:
    """What the idea was born of (a contribution, an initiative, an answer, a proposal…): its
    kind and title, and its page for those who may open it. None for an idea of the box."""
    if not idea.origin_type_id:
        return None
    content_type = ContentType.objects.get_for_id(idea.origin_type_id)  # cached: no query
    kind = kind_named(f"{content_type.app_label}.{content_type.model}")
    source = idea.origin
    if kind is None or source is None:  # a kind no longer registered, a source gone
        return {"kind": content_type.name, "title": "", "url": ""}
    return {
        "kind": content_type.name,
        "title": kind.describe(source).title,
        "url": source.get_absolute_url() if kind.visible_to(user, source) else "",
    }


class IdeaDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail_page(request, _idea_for(request, pk, queryset=detail_queryset(request.user)))


@require_POST
@login_required
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    """Support the idea, or withdraw one's support (`action`). htmx: the button is swapped."""
    idea = _idea_for(request, pk, "ideas.support_idea")
    level = messages.SUCCESS
    try:
        if request.POST.get("action") == "withdraw":
            services.idea_support_withdraw(idea=idea, by=request.user)
            text = _("Vous ne soutenez plus cette idée.")
        else:
            services.idea_support(idea=idea, by=request.user)
            text = _("Merci : vous soutenez cette idée.")
    except AlreadyDone as done:
        level, text = messages.INFO, str(done)
    except ValidationError as error:
        level, text = messages.ERROR, " ".join(error.messages)
    if request.htmx:
        supports = IdeaSupport.objects.filter(idea=idea)
        return render(
            request,
            "ideas/includes/idea_support.html",
            {
                "idea": idea,
                "n_supports": supports.count(),
                "has_supported": supports.filter(user=request.user).exists(),
                "can_support": True,
                "announce": text,
            },
        )
    messages.add_message(request, level, text)
    return redirect(f"{idea.get_absolute_url()}#soutiens")


@require_POST
@login_required
def idea_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment, or a reply to a thread."""
    idea = _idea_for(request, pk, "ideas.comment_idea", queryset=detail_queryset(request.user))
    form = IdeaCommentForm(request.POST, idea=idea)
    if form.is_valid():
        try:
            comment = services.idea_comment_add(
                idea=idea,
                by=request.user,
                text=form.cleaned_data["text"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Votre commentaire est publié."))
            return redirect(_comment_url(idea, comment))
    return _detail_page(request, idea, comment_form=form)


@require_POST
@login_required
def idea_comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """Hide a comment, or restore it (the one moderation queue does the same in bulk)."""
    if not request.user.has_perm("ideas.moderate_idea_comments"):
        raise PermissionDenied
    comment = get_object_or_404(
        IdeaComment.objects.filter(idea__in=Idea.objects.visible_to(request.user)), pk=pk
    )
    action = request.POST.get("action", "")
    if action not in ("hide", "restore"):
        messages.error(request, _("Action de modération inconnue."))
        return redirect(_comment_url(comment.idea, comment))
    try:
        services.idea_comment_moderate(comment=comment, by=request.user, hidden=action == "hide")
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(
            request,
            _("Le commentaire est masqué.")
            if action == "hide"
            else _("Le commentaire est de nouveau visible."),
        )
    return redirect(_comment_url(comment.idea, comment))


@require_POST
@login_required
def idea_comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a comment to the moderation (network members, not its author)."""
    comment = get_object_or_404(
        IdeaComment.objects.filter(idea__in=Idea.objects.visible_to(request.user)), pk=pk
    )
    if not request.user.has_perm("ideas.report_idea_comment", comment):
        raise PermissionDenied
    report_comment(request, comment)
    return redirect(_comment_url(comment.idea, comment))


@require_POST
@login_required
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow or stop following. The form says which, so a double click never flips it back."""
    idea = _idea_for(request, pk, "ideas.follow_idea")
    if request.POST.get("action") == "unfollow":
        unfollow(user=request.user, obj=idea)
        messages.success(request, _("Vous ne suivez plus cette idée."))
    else:
        follow(user=request.user, obj=idea)
        messages.success(
            request, _("Vous suivez cette idée : chacune de ses suites vous sera signalée.")
        )
    return redirect(idea)


class IdeaStatusView(LoginRequiredMixin, View):
    """Move an idea on (under review, accepted as a project, merged, shelved, declined), with
    the reason told to its authors and followers."""

    template_name = "ideas/idea_status.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.idea = _idea_for(
            request,
            kwargs["pk"],
            "ideas.triage_idea",
            Idea.objects.select_related("author", "caf", "project", "merged_into"),
        )
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data: Any = None) -> IdeaStatusForm:
        return IdeaStatusForm(
            data,
            idea=self.idea,
            action=reverse("ideas:idea-status", kwargs={"pk": self.idea.pk}),
        )

    def _page(self, form: IdeaStatusForm) -> HttpResponse:
        idea = self.idea
        similar = filters_ideas.similar_ideas(
            Idea.objects.exclude(pk=idea.pk), title=idea.title, problem=idea.problem
        )
        context = {
            "idea": idea,
            "form": form if services.allowed_moves(idea) else None,
            "summary": services.idea_summary(idea),
            "similar": similar,
        }
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        # A double click: the first POST made the move, so the status is no longer among the
        # form's choices; the second is told it is done, never "Sélectionnez un choix valide".
        if not form.is_valid() and request.POST.get("to_status") == self.idea.status:
            messages.info(request, _("L’idée a déjà ce statut."))
            return redirect(self.idea)
        if form.is_valid():
            data = form.cleaned_data
            try:
                idea = services.idea_move(
                    idea=self.idea,
                    by=request.user,
                    to_status=data["to_status"],
                    reason=data["reason"],
                    revisit_on=data["revisit_on"],
                    merged_into=data["merged_into"],
                    stage=data["stage"] or "idea",
                )
            except AlreadyDone as done:
                messages.info(request, str(done))
                return redirect(self.idea)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Statut enregistré : %(status)s. Les auteurs et les abonnés sont prévenus.")
                    % {"status": idea.get_status_display()},
                )
                return redirect(idea)
        return self._page(form)


@require_POST
@login_required
def idea_score(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the user's triage scores (the gate reviews' scorecard, on the idea criteria)."""
    idea = _idea_for(request, pk, "ideas.score_idea", queryset=detail_queryset(request.user))
    form = IdeaScoreForm(
        request.POST,
        criteria=services.idea_criteria(),
        action=reverse("ideas:idea-score", kwargs={"pk": idea.pk}),
    )
    if form.is_valid():
        try:
            services.idea_score(idea=idea, reviewer=request.user, scores=form.scores())
        except AlreadyDone as done:
            messages.info(request, str(done))
            return redirect(idea)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Vos notes sont enregistrées."))
            return redirect(f"{idea.get_absolute_url()}#grille")
    return _detail_page(request, idea, score_form=form)


# --- triage --------------------------------------------------------------------------------


class TriageView(LoginRequiredMixin, PermissionRequiredMixin, FilterView):
    """The queue of ideas to examine: all for the lab, their Caf's for a correspondent."""

    permission_required = "ideas.view_triage"
    filterset_class = TriageFilter
    template_name = "ideas/triage.html"
    context_object_name = "ideas"
    paginate_by = 50

    def queue(self) -> IdeaQuerySet:
        return Idea.objects.triage_queue_for(self.request.user)

    def get_queryset(self) -> IdeaQuerySet:
        # Oldest first: a queue is served in order. What a row of the queue reads: three joins
        # (see with_list_data) and the support count, no themes, project or comment count.
        return (
            self.queue()
            .select_related("author", "caf", "reviewer")
            .annotate(n_supports=count_of(IdeaSupport, "idea"))
            .order_by("created_at", "pk")
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["assign_form"] = form = TriageAssignForm(user=self.request.user, queue=self.queue())
        _fast_reviewer_options(form.fields["reviewer"])
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key != "page"
        )
        return context


def _fast_reviewer_options(field: Any) -> None:
    """The lab's list of reviewers holds some two hundred people: the template draws their
    <option>s in Python (`filter_field`), from labels (`ReviewerChoiceField.label_from_instance`'s)
    that read the roles' names translated once, not once a person (`get_role_display` costs
    30 µs a call). The choice posted is still checked against the field's queryset."""
    roles = {value: str(label) for value, label in Role.choices}
    people = field.queryset.only(
        "pk", "first_name", "last_name", "email", "role", "caf_id", "caf__name"
    )
    field.choices = [
        ("", field.empty_label),
        *(
            (user.pk, f"{user} ({roles[user.role]}{f', {user.caf}' if user.caf_id else ''})")
            for user in people
        ),
    ]


@require_POST
@login_required
def triage_assign(request: HttpRequest) -> HttpResponse:
    """Name one reviewer on the checked ideas of the queue."""
    if not request.user.has_perm("ideas.view_triage"):
        raise PermissionDenied
    queue = Idea.objects.triage_queue_for(request.user)
    form = TriageAssignForm(request.POST, user=request.user, queue=queue)
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        changed = services.idea_assign(
            ideas=form.cleaned_data["idees"], reviewer=reviewer, by=request.user
        )
        messages.success(
            request,
            _("%(count)s idée(s) confiée(s) à %(name)s.") % {"count": changed, "name": reviewer},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    back = request.POST.get("retour", "")
    # Only the queue's own query string comes back: never a URL chosen by the form.
    suffix = back if back.startswith("?") and "\n" not in back else ""
    return redirect(f"{reverse('ideas:triage')}{suffix}")


# --- attachments ---------------------------------------------------------------------------


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of an idea the user sees (else 404), as a download under a safe name."""
    attachment = get_object_or_404(
        IdeaAttachment.objects.filter(idea__in=Idea.objects.visible_to(request.user)), pk=pk
    )
    return download_response(
        attachment.file, filename=attachment.original_name, kinds=ATTACHMENT_KINDS
    )
