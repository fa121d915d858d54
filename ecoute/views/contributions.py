"""Contributions: a consultation's list (with filters) and the form to submit one, a
contribution's page (supports, reports, threaded comments, official answer and its history),
the official-answer form, and the managers' moderation queue with bulk actions.

Order of checks: the consultation or contribution must be visible (else 404), then the action
allowed (else 403). Contributing needs an account: anonymous visitors read and are invited to
log in.
"""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.engagement.views import report_comment
from ecoute.forms.contributions import (
    CommentForm,
    ContributionFilterForm,
    ContributionForm,
    OfficialAnswerForm,
)
from ecoute.models import (
    Consultation,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionReport,
    ContributionSupport,
    OfficialAnswer,
)
from ecoute.services import contributions as services
from ecoute.services.common import AlreadyDone
from ecoute.views.common import consultation_for
from projects.models import Project

PER_PAGE = 20


def _collecting(
    request: HttpRequest, slug: str, queryset: QuerySet[Consultation] | None = None
) -> Consultation:
    if queryset is None:
        queryset = Consultation.objects.select_related("caf").prefetch_related("perimeter_cafs")
    consultation = consultation_for(request, queryset=queryset, slug=slug)
    if not consultation.collects_contributions:
        raise Http404
    return consultation


def _participation(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    user = request.user
    return {
        "can_contribute": user.has_perm("ecoute.contribute", consultation),
        "needs_login": consultation.is_open and not user.is_authenticated,
        "can_manage": user.has_perm("ecoute.manage_consultation", consultation),
    }


# --- list and submit -----------------------------------------------------------------------


def contribution_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The published contributions of a consultation, filtered by theme and official answer."""
    # The list reads neither the Caf nor the perimeter: no join, no prefetch.
    consultation = _collecting(request, slug, queryset=Consultation.objects.all())
    contributions = Contribution.objects.published().filter(consultation=consultation)
    filters = ContributionFilterForm(request.GET or None)
    order = ("-created_at", "-pk")
    if filters.is_valid():
        if filters.cleaned_data["theme"]:
            contributions = contributions.filter(theme=filters.cleaned_data["theme"])
        if filters.cleaned_data["answer"]:
            contributions = contributions.filter(answer_status=filters.cleaned_data["answer"])
        if filters.cleaned_data["order"] == "supports":
            order = ("-n_supports", "-pk")
    page = Paginator(contributions.with_card_data().order_by(*order), PER_PAGE).get_page(
        request.GET.get("page")
    )
    mine = []
    if request.user.is_authenticated:
        mine = list(
            Contribution.objects.filter(consultation=consultation, author=request.user)
            .exclude(status=Contribution.Status.PUBLISHED)
            .order_by("-created_at")[:10]
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ecoute/contributions/list.html",
        {
            "consultation": consultation,
            "page": page,
            "contributions": page.object_list,
            "filters": filters,
            "query": query.urlencode(),
            "cards_key": _cards_key(page, query.urlencode()),
            "mine_unpublished": mine,
            **_participation(request, consultation),
        },
    )


def _cards_key(page: Any, query: str) -> str:
    """What the list's cards and pagination show, as a key for their cached fragment
    (templates/ecoute/contributions/list.html): a support, a comment, an answer, an edit
    (updated_at) or a project moving on changes it, so the fragment is never stale."""
    rows = "|".join(
        f"{c.pk},{c.updated_at.timestamp()},{c.answer_status},{c.n_supports},{c.n_comments},"
        f"{c.theme.name if c.theme else ''},{c.caf.name if c.caf else ''},"
        f"{(c.project.stage, c.project.title) if c.project else ''}"
        for c in page.object_list
    )
    paging = f"{page.number}/{page.paginator.num_pages}/{page.paginator.count}"
    return f"{get_language()}:{query}:{paging}:{rows}"


@login_required
def contribution_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _collecting(request, slug)
    if not request.user.has_perm("ecoute.contribute", consultation):
        raise PermissionDenied
    form = ContributionForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.contribution_submit(
                consultation=consultation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if contribution.is_published:
                messages.success(request, _("Merci : votre contribution est publiée."))
            else:
                messages.success(
                    request,
                    _(
                        "Merci : votre contribution est enregistrée. Elle sera publiée après "
                        "relecture par la modération."
                    ),
                )
            return redirect(contribution)
    return render(
        request,
        "ecoute/contributions/form.html",
        {"consultation": consultation, "form": form},
    )


# --- one contribution ----------------------------------------------------------------------


def contribution_for(request: HttpRequest, pk: int, perm: str | None = None) -> Contribution:
    """The contribution if the user sees it (else 404) and may do `perm` on it (else 403)."""
    contribution = get_object_or_404(
        Contribution.objects.visible_to(request.user).select_related(
            "consultation", "theme", "caf", "author", "project"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, contribution):
        raise PermissionDenied
    return contribution


# Comment threads per part of the page, as on an idea's or an initiative's page: the latest
# first, each with all its replies (a thread is never cut in two); "Voir les commentaires
# précédents" loads the next part (htmx, or ?page= without JavaScript).
COMMENT_THREADS = 30


def _shown_comments(
    request: HttpRequest, contribution: Contribution, may_moderate: bool
) -> QuerySet[ContributionComment]:
    """Managers also see the hidden comments; authors see their own comments waiting for
    moderation; others the visible ones."""
    comments = ContributionComment.objects.filter(contribution=contribution)
    if may_moderate:
        return comments
    shown = Q(status=ContributionComment.Status.VISIBLE)
    if request.user.is_authenticated:
        shown |= Q(author=request.user.pk, status=ContributionComment.Status.PENDING)
    return comments.filter(shown)


def _comment_threads(
    request: HttpRequest, contribution: Contribution, may_moderate: bool, page: str | None
) -> Page:
    """One part of the threads: the part's roots and their replies in one query, each with
    whether the user reported it; the number of threads in a second."""
    user = request.user
    comments = _shown_comments(request, contribution, may_moderate)
    roots = comments.filter(parent__isnull=True)
    paginator = Paginator(roots.order_by("-created_at", "-pk"), COMMENT_THREADS)
    number = paginator.validate_number(_page_number(page, paginator.num_pages))
    start = (number - 1) * COMMENT_THREADS
    part_roots = roots.order_by("-created_at", "-pk").values("pk")[start : start + COMMENT_THREADS]
    rows = (
        comments.filter(Q(pk__in=part_roots) | Q(parent__in=part_roots))
        .select_related("author")
        .annotate(
            is_reported_by_me=Exists(
                ContributionCommentReport.objects.filter(comment=OuterRef("pk"), reporter=user.pk)
            )
        )
        .order_by("created_at", "pk")
    )
    threads: list[ContributionComment] = []
    replies: dict[int, list[ContributionComment]] = defaultdict(list)
    for comment in rows:
        comment.is_mine = user.is_authenticated and comment.author_id == user.pk
        if comment.parent_id is None:
            comment.thread = replies[comment.pk]
            threads.append(comment)
        else:
            replies[comment.parent_id].append(comment)
    threads.sort(key=lambda c: (c.created_at, c.pk), reverse=True)
    for thread in threads:  # what the template loops over: the thread, then its replies
        thread.comments = [thread, *thread.thread]
    return Page(threads, number, paginator)


def _page_number(page: str | None, last: int) -> int:
    """?page= as Paginator.get_page reads it: not a number -> 1, past the end -> the last."""
    try:
        number = int(page or 1)
    except ValueError:
        return 1
    return min(max(number, 1), max(last, 1))


def comment_url(comment: ContributionComment) -> str:
    """The contribution's page at the part holding the comment's thread, anchored on it."""
    thread = comment.parent or comment
    newer = ContributionComment.objects.filter(
        contribution=thread.contribution_id, parent__isnull=True
    ).filter(
        Q(created_at__gt=thread.created_at) | Q(created_at=thread.created_at, pk__gt=thread.pk)
    )
    part = newer.count() // COMMENT_THREADS + 1
    query = f"?page={part}" if part > 1 else ""
    return f"{comment.contribution.get_absolute_url()}{query}#commentaire-{comment.pk}"


def _project_link(request: HttpRequest, project: Project | None) -> str:
    if project is None:
        return ""
    if Project.objects.visible_to(request.user).filter(pk=project.pk).exists():
        return project.get_absolute_url()
    if Project.objects.published().filter(pk=project.pk).exists():
        return reverse("projects:public-sheet", kwargs={"code": project.code})
    return ""


def render_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    """The contribution's page; a POST view whose form is invalid passes it here."""
    contribution = contribution_for(request, pk)
    user = request.user
    may_moderate = user.has_perm("ecoute.moderate_contribution", contribution)
    can_comment = user.has_perm("ecoute.comment_contribution", contribution)
    threads = _comment_threads(request, contribution, may_moderate, request.GET.get("page"))
    if request.htmx and "page" in request.GET:  # "Voir les commentaires précédents"
        return render(
            request,
            "ecoute/contributions/includes/comment_threads.html",
            {
                "contribution": contribution,
                "comments": threads,
                "can_comment": can_comment,
                "can_moderate": may_moderate,
                "user_signed_in": user.is_authenticated,
            },
        )
    n_supports = ContributionSupport.objects.filter(contribution=contribution).count()
    context: dict[str, Any] = {
        "consultation": contribution.consultation,
        "contribution": contribution,
        "n_supports": n_supports,
        "has_supported": user.is_authenticated
        and ContributionSupport.objects.filter(contribution=contribution, user=user).exists(),
        "has_reported": user.is_authenticated
        and ContributionReport.objects.filter(contribution=contribution, reporter=user).exists(),
        # The permission rules let an administrator through; the service still refuses an
        # unpublished contribution, so the button is not offered there.
        "can_support": contribution.is_published
        and user.has_perm("ecoute.support_contribution", contribution),
        "can_report": user.has_perm("ecoute.report_contribution", contribution)
        and contribution.author_id != user.pk,
        "can_comment": can_comment,
        "can_moderate": may_moderate,
        "can_answer": contribution.is_published
        and user.has_perm("ecoute.answer_contribution", contribution),
        "needs_login": not user.is_authenticated and contribution.consultation.is_open,
        "comments": threads,
        "answers": list(
            OfficialAnswer.objects.filter(contribution=contribution).select_related(
                "project", "answered_by"
            )
        ),
        "project_url": _project_link(request, contribution.project),
    }
    if can_comment:
        context["comment_form"] = forms.get("comment_form") or CommentForm()
    return render(request, "ecoute/contributions/detail.html", context)


def contribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, pk)


@require_POST
@login_required
def contribution_support(request: HttpRequest, pk: int) -> HttpResponse:
    """Support or withdraw; the form says which, so a double click never flips it back."""
    contribution = contribution_for(request, pk, "ecoute.support_contribution")
    try:
        if request.POST.get("action") == "withdraw":
            services.support_remove(contribution=contribution, by=request.user)
            messages.success(request, _("Vous ne soutenez plus cette contribution."))
        else:
            services.support_add(contribution=contribution, by=request.user)
            messages.success(request, _("Merci : votre soutien est enregistré."))
    except AlreadyDone as done:
        messages.info(request, str(done))
    return redirect(contribution)


@require_POST
@login_required
def contribution_report(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = contribution_for(request, pk, "ecoute.report_contribution")
    try:
        services.contribution_report(
            contribution=contribution,
            by=request.user,
            # A free reason without a form: NUL cannot reach PostgreSQL (a DataError).
            reason=request.POST.get("reason", "").replace("\x00", ""),
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(request, _("Merci : la contribution est signalée à la modération."))
    return redirect(contribution)


@require_POST
@login_required
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = contribution_for(request, pk, "ecoute.comment_contribution")
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_detail(request, pk, comment_form=form)
    parent = None
    if form.cleaned_data["parent"]:
        parent = ContributionComment.objects.filter(
            contribution=contribution, pk=form.cleaned_data["parent"]
        ).first()
    try:
        comment = services.comment_add(
            contribution=contribution,
            by=request.user,
            text=form.cleaned_data["text"],
            parent=parent,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{contribution.get_absolute_url()}#commentaires")
    if comment.is_visible:
        messages.success(request, _("Votre commentaire est publié."))
    else:
        messages.success(
            request, _("Votre commentaire sera publié après relecture par la modération.")
        )
    return redirect(comment_url(comment))


def _comment_for(request: HttpRequest, pk: int) -> ContributionComment:
    visible = Contribution.objects.visible_to(request.user)
    return get_object_or_404(
        ContributionComment.objects.filter(contribution__in=visible).select_related(
            "contribution__consultation"
        ),
        pk=pk,
    )


@require_POST
@login_required
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for(request, pk)
    if not (comment.is_visible and comment.author_id != request.user.pk):
        raise PermissionDenied
    report_comment(request, comment)
    return redirect(f"{comment.contribution.get_absolute_url()}#commentaires")


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@login_required
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for(request, pk)
    if not request.user.has_perm("ecoute.moderate_contribution", comment.contribution):
        raise PermissionDenied
    try:
        services.comment_moderate(
            comment=comment, by=request.user, action=request.POST.get("action", "")
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La modération est enregistrée."))
    default = comment_url(comment)
    return redirect(_safe_next(request, default))


# --- official answer -----------------------------------------------------------------------


@login_required
def official_answer(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = contribution_for(request, pk, "ecoute.answer_contribution")
    if not contribution.is_published:
        messages.error(request, _("On répond officiellement aux contributions publiées."))
        return redirect(contribution)
    allowed = services.allowed_answer_statuses(contribution.answer_status)
    form = OfficialAnswerForm(
        request.POST or None,
        user=request.user,
        allowed=allowed,
        current_project=contribution.project,
    )
    # A double click: the status just given is no longer a choice; say it is done.
    if (
        request.method == "POST"
        and not form.is_valid()
        and request.POST.get("status") == contribution.answer_status
    ):
        messages.info(request, _("La réponse officielle a déjà ce statut."))
        return redirect(contribution)
    if request.method == "POST" and form.is_valid():
        try:
            services.official_answer_give(
                contribution=contribution, by=request.user, **form.cleaned_data
            )
        except AlreadyDone as done:
            messages.info(request, str(done))
            return redirect(contribution)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La réponse officielle est publiée."))
            return redirect(contribution)
    return render(
        request,
        "ecoute/contributions/answer_form.html",
        {
            "consultation": contribution.consultation,
            "contribution": contribution,
            "form": form,
            "is_final": not allowed,
        },
    )


# --- moderation: the one queue --------------------------------------------------------------


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """The contributions are moderated in the one queue (caflab.engagement), with the ideas',
    initiatives' and contributions' comments; this address (in e-mails already sent, in
    bookmarks) leads there, filtered to contributions and to the consultation it named."""
    return redirect(services.moderation_url_for(request.GET.get("consultation", "")))
