"""One initiative's pages: create, detail, update, promote; and the small POST actions of the
detail page (submit, validate, files and images, support, follow, comments and their
moderation, interest). The services do the work; these views parse, authorise, call, answer.
"""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, RedirectView, TemplateView, UpdateView
from django_htmx.http import HttpResponseClientRedirect

from caflab.core.uploads import download_response, name_for_format
from caflab.engagement.views import report_comment
from caflab.network.models import Caf, Theme
from caflab.notifications.models import Follow
from caflab.notifications.services import follow, unfollow
from criees import lineage, services
from criees.forms import (
    CommentForm,
    FileForm,
    ImageForm,
    InitiativeForm,
    InterestForm,
    PromoteForm,
    ReviewForm,
)
from criees.models import (
    Comment,
    CommentReport,
    Criee,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    InterestLevel,
    Pitch,
    Public,
    Support,
)
from criees.models.initiatives import count_of
from criees.services import AlreadyDone, InterestOutcome
from criees.views.base import NetworkMixin, initiative_for, network_only, require, safe_next
from projects.models import Deployment

# --- create and update -------------------------------------------------------------------


class InitiativeCreateView(NetworkMixin, FormView):
    permission_required = "criees.add_initiative"
    form_class = InitiativeForm
    template_name = "criees/initiative_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: InitiativeForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        team = data.pop("team_emails")
        caf = data.pop("caf", None) or self.request.user.caf
        initiative = services.initiative_create(by=self.request.user, caf=caf, team=team, **data)
        messages.success(
            self.request,
            _(
                "Le brouillon est enregistré. Ajoutez des fichiers et des images si vous le "
                "souhaitez, puis soumettez l’initiative à validation."
            ),
        )
        return redirect(initiative)


class InitiativeUpdateView(NetworkMixin, UpdateView):
    """The team edits until publication; the Caf's correspondents and the lab at any time."""

    form_class = InitiativeForm
    template_name = "criees/initiative_form.html"
    context_object_name = "initiative"

    def get_object(self, queryset: Any = None) -> Initiative:
        return initiative_for(self.request, self.kwargs["pk"], "criees.change_initiative")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: InitiativeForm) -> HttpResponse:
        with transaction.atomic():
            initiative = form.save()
            services.initiative_team_set(
                initiative=initiative, users=form.cleaned_data["team_emails"]
            )
        messages.success(self.request, _("L’initiative est enregistrée."))
        return redirect(initiative)


# --- detail --------------------------------------------------------------------------------


def detail_queryset(user: Any = None) -> Any:
    """Everything the detail page reads, in a fixed number of queries; with `user`, whether
    they support and follow it come with the initiative (no query of their own)."""
    queryset = (
        Initiative.objects.select_related("caf__region", "project", "created_by")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=InitiativeMember.objects.select_related("user").order_by(
                    "role", "user__last_name", "pk"
                ),
            ),
            "files",
            "images",
            Prefetch(
                "status_changes",
                queryset=InitiativeStatusChange.objects.select_related("changed_by"),
            ),
            Prefetch(
                "interests",
                queryset=InterestDeclaration.objects.select_related(
                    "caf", "contact_person"
                ).order_by("caf__position"),
            ),
        )
        .annotate(
            n_supports=count_of(Support),
            n_threads=count_of(Comment, parent__isnull=True, status=Comment.Status.VISIBLE),
            n_threads_all=count_of(Comment, parent__isnull=True),
        )
    )
    if connection.vendor == "postgresql":
        # The names of its themes and publics come with the initiative: two queries fewer.
        queryset = queryset.annotate(
            theme_names=ArraySubquery(
                Theme.objects.filter(initiatives=OuterRef("pk")).order_by("name").values("name")
            ),
            public_names=ArraySubquery(
                Public.objects.filter(initiatives=OuterRef("pk")).order_by("name").values("name")
            ),
        )
    if user is None:
        return queryset
    follows = Follow.objects.filter(
        content_type=ContentType.objects.get_for_model(Initiative),
        object_id=OuterRef("pk"),
        user=user.pk,
    )
    return queryset.annotate(
        has_supported=Exists(Support.objects.filter(initiative=OuterRef("pk"), user=user.pk)),
        is_followed=Exists(follows),
    )


# Comment threads per part of the page: the latest first, each with all its replies (a thread
# is never cut in two); "Voir les commentaires précédents" loads the next part (htmx, or ?page=
# without JavaScript), as on an idea's page.
COMMENT_THREADS = 30


def _comment_threads(
    request: HttpRequest, initiative: Initiative, may_moderate: bool, page: str | None
) -> Page:
    """One part of the threads. Moderators also see the hidden comments (marked); the others
    see visible comments only. One query: the part's threads and their replies, each with
    whether the user reported it. `initiative` comes from `detail_queryset` (its counts)."""
    comments = Comment.objects.filter(initiative=initiative)
    if not may_moderate:
        comments = comments.filter(status=Comment.Status.VISIBLE)
    paginator = Paginator(comments.none(), COMMENT_THREADS)
    # Counted with the initiative: no COUNT query.
    paginator.count = initiative.n_threads_all if may_moderate else initiative.n_threads
    number = paginator.validate_number(_page_number(page, paginator.num_pages))
    start = (number - 1) * COMMENT_THREADS
    roots = comments.filter(parent__isnull=True).order_by("-created_at", "-pk")
    part_roots = roots.values("pk")[start : start + COMMENT_THREADS]
    rows = (
        comments.filter(Q(pk__in=part_roots) | Q(parent__in=part_roots))
        .select_related("author")
        .annotate(
            is_reported_by_me=Exists(
                CommentReport.objects.filter(comment=OuterRef("pk"), reporter=request.user.pk)
            )
        )
        .order_by("created_at", "pk")
    )
    threads: list[Comment] = []
    replies: dict[int, list[Comment]] = {}
    for comment in rows:
        comment.is_mine = comment.author_id == request.user.pk
        if comment.parent_id is None:
            comment.thread = replies.setdefault(comment.pk, [])
            threads.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
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


def comment_url(comment: Comment) -> str:
    """The initiative's page at the part holding the comment's thread, anchored on it."""
    thread = comment.parent or comment
    newer = Comment.objects.filter(initiative=thread.initiative_id, parent__isnull=True).filter(
        Q(created_at__gt=thread.created_at) | Q(created_at=thread.created_at, pk__gt=thread.pk)
    )
    part = newer.count() // COMMENT_THREADS + 1
    query = f"?page={part}" if part > 1 else ""
    return f"{comment.initiative.get_absolute_url()}{query}#commentaire-{comment.pk}"


def _interest_context(
    request: HttpRequest, initiative: Initiative, form: InterestForm | None
) -> dict[str, Any]:
    user = request.user
    interests = list(initiative.interests.all())
    counts = {level: 0 for level in InterestLevel.values}
    # Up to a hundred Caf: the levels' names translated once (get_level_display: 30 µs a row).
    labels = {value: str(label) for value, label in InterestLevel.choices}
    for interest in interests:
        counts[interest.level] += 1
        interest.level_label = labels.get(interest.level, interest.level)
    own = next((i for i in interests if user.caf_id and i.caf_id == user.caf_id), None)
    may_declare = user.has_perm("criees.declare_interest", initiative)
    may_replicate = user.is_lab_staff or (
        bool(user.caf_id) and user.has_perm("criees.declare_replicate", Caf(pk=user.caf_id))
    )
    # A "wants to replicate" of the Caf is changed by its correspondent only.
    locked = bool(own and own.level == InterestLevel.REPLICATE and not may_replicate)
    if may_declare and not locked and form is None:
        initial = {}
        if own:
            initial = {
                "level": own.level,
                "contact_person": own.contact_person,
                "comment": own.comment,
            }
        form = InterestForm(
            initial=initial,
            user=user,
            initiative=initiative,
            may_replicate=may_replicate,
            action=reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
        )
    return {
        "interests": interests,
        "interest_counts": [(InterestLevel(level), n) for level, n in counts.items()],
        "own_interest": own,
        "interest_locked": locked,
        "interest_form": form if may_declare and not locked else None,
    }


def render_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    """The detail page; a POST view whose form is invalid passes it here with its errors."""
    initiative = initiative_for(request, pk, queryset=detail_queryset(request.user))
    if not hasattr(initiative, "theme_names"):  # SQLite (development): two small queries
        initiative.theme_names = [t.name for t in initiative.themes.order_by("name")]
        initiative.public_names = [p.name for p in initiative.publics.order_by("name")]
    user = request.user
    can_change = user.has_perm("criees.change_initiative", initiative)
    may_moderate = user.has_perm("criees.moderate_comments")

    def action(name: str) -> str:
        return reverse(f"criees:{name}", kwargs={"pk": initiative.pk})

    threads = _comment_threads(request, initiative, may_moderate, request.GET.get("page"))
    can_comment = user.has_perm("criees.comment_initiative", initiative)
    can_convert = lineage.may_convert(user, initiative)  # its comments too: no query
    if request.htmx and "page" in request.GET:  # "Voir les commentaires précédents"
        return render(
            request,
            "criees/includes/comment_threads.html",
            {
                "initiative": initiative,
                "comments": threads,
                "can_comment": can_comment,
                "can_moderate": may_moderate,
                "can_convert": can_convert,
            },
        )
    deployments = []
    if initiative.project_id:
        deployments = list(
            Deployment.objects.live()
            .filter(project=initiative.project_id)
            .select_related("caf")
            .order_by("caf__position")
        )
    context: dict[str, Any] = {
        "initiative": initiative,
        "members": list(initiative.members.all()),
        "can_change": can_change,
        "can_submit": can_change and initiative.can_be_submitted,
        "can_review": initiative.status == Initiative.Status.SUBMITTED
        and user.has_perm("criees.review_initiative", initiative),
        "can_support": user.has_perm("criees.support_initiative", initiative),
        "has_supported": initiative.has_supported,
        "can_follow": user.has_perm("criees.follow_initiative", initiative),
        "is_following": initiative.is_followed,
        "can_promote": not initiative.project_id
        and user.has_perm("criees.promote_initiative", initiative),
        "can_comment": can_comment,
        "can_moderate": may_moderate,
        "can_convert": can_convert,
        "comments": threads,
        "deployments": deployments,
        "history": list(initiative.status_changes.all()),
        **_interest_context(request, initiative, forms.pop("interest_form", None)),
    }
    if context["can_review"]:
        context["review_form"] = forms.get("review_form") or ReviewForm(
            action=action("initiative-review")
        )
    if can_change:
        context["file_form"] = forms.get("file_form") or FileForm(action=action("file-add"))
        context["image_form"] = forms.get("image_form") or ImageForm(action=action("image-add"))
    if context["can_comment"]:
        context["comment_form"] = forms.get("comment_form") or CommentForm(
            action=action("comment-add")
        )
    return render(request, "criees/initiative_detail.html", context)


class InitiativeDetailView(NetworkMixin, TemplateView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render_detail(request, kwargs["pk"])


@network_only
def comment_detail(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    """One shown comment of an initiative the user sees (else 404): where the lab, or the
    correspondent of the initiative's Caf, turns it into an idea or attaches it to a project,
    and where its author sees what it became (the "origin" panel)."""
    initiative = initiative_for(request, pk)
    shown = get_object_or_404(
        Comment.objects.visible().select_related("author"), pk=comment, initiative=initiative
    )
    return render(
        request, "criees/comment_detail.html", {"initiative": initiative, "comment": shown}
    )


# --- status: submit, validate ----------------------------------------------------------------


@require_POST
@network_only
def initiative_submit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for(request, pk, "criees.change_initiative")
    try:
        services.initiative_submit(initiative=initiative, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(
            request,
            _("L’initiative est soumise à validation : le correspondant de votre Caf est prévenu."),
        )
    return redirect(initiative)


@require_POST
@network_only
def initiative_review(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for(request, pk, "criees.review_initiative")
    form = ReviewForm(
        request.POST, action=reverse("criees:initiative-review", kwargs={"pk": initiative.pk})
    )
    if not form.is_valid():
        return render_detail(request, pk, review_form=form)
    try:
        if form.cleaned_data["decision"] == "publish":
            services.initiative_publish(initiative=initiative, by=request.user)
            messages.success(request, _("L’initiative est publiée dans le catalogue."))
        else:
            services.initiative_return(
                initiative=initiative, by=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("L’initiative est renvoyée à son équipe."))
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(initiative)


# --- files and images --------------------------------------------------------------------------


def _upload(request: HttpRequest, pk: int, form_class: type, model: type, key: str) -> Any:
    initiative = initiative_for(request, pk, "criees.change_initiative")
    action = reverse(request.resolver_match.view_name, kwargs={"pk": initiative.pk})
    form = form_class(
        request.POST,
        request.FILES,
        instance=model(initiative=initiative, uploaded_by=request.user),
        action=action,
    )
    if not form.is_valid():
        return render_detail(request, pk, **{key: form})
    form.save()
    return redirect(f"{initiative.get_absolute_url()}#documents")


@require_POST
@network_only
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    response = _upload(request, pk, FileForm, InitiativeFile, "file_form")
    if response.status_code == 302:
        messages.success(request, _("Le fichier est ajouté."))
    return response


@require_POST
@network_only
def image_add(request: HttpRequest, pk: int) -> HttpResponse:
    response = _upload(request, pk, ImageForm, InitiativeImage, "image_form")
    if response.status_code == 302:
        messages.success(request, _("L’image est ajoutée."))
    return response


def _attachment_for(request: HttpRequest, model: type, pk: int) -> Any:
    """A file or image of an initiative the user sees (else 404)."""
    visible = Initiative.objects.visible_to(request.user)
    return get_object_or_404(
        model.objects.filter(initiative__in=visible).select_related("initiative"), pk=pk
    )


def _download(stored: Any, filename: str, *, redirect: bool = True) -> HttpResponse:
    """Always a download, typed by the kind checked at upload (`download_response`). Cached a
    while: images are shown in the initiative's pages."""
    return download_response(
        stored, filename=filename, cache_control="private, max-age=3600", redirect=redirect
    )


@network_only
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment_for(request, InitiativeFile, pk)
    return _download(attachment.file, attachment.name)


@network_only
def image_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The copy for pages (small, sent by this node even from an object store: the pages' CSP
    takes images from our origin only), or with `?original=1` the full-size image, for
    whoever sees the initiative (its metadata were dropped at upload)."""
    image = _attachment_for(request, InitiativeImage, pk)
    if request.GET.get("original"):
        return _download(image.file, image.name)
    shown = image.shown_file
    return _download(shown, name_for_format(image.name, shown.name), redirect=False)


def _delete_attachment(request: HttpRequest, model: type, pk: int) -> HttpResponse:
    attachment = _attachment_for(request, model, pk)
    initiative = attachment.initiative
    require(request, "criees.change_initiative", initiative)
    stored = [f for f in (attachment.file, getattr(attachment, "web_file", None)) if f]
    files = [(f.storage, f.name) for f in stored]
    attachment.delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    messages.success(request, _("« %(name)s » est supprimé.") % {"name": attachment.name})
    return redirect(f"{initiative.get_absolute_url()}#documents")


@require_POST
@network_only
def file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete_attachment(request, InitiativeFile, pk)


@require_POST
@network_only
def image_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete_attachment(request, InitiativeImage, pk)


# --- support and follow ------------------------------------------------------------------------


@require_POST
@network_only
def support_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Support or withdraw. The form says which (`action`), so a double click or a stale page
    never flips the choice back."""
    initiative = initiative_for(request, pk, "criees.support_initiative")
    try:
        if request.POST.get("action") == "withdraw":
            services.support_remove(initiative=initiative, by=request.user)
            messages.success(request, _("Vous ne soutenez plus cette initiative."))
        else:
            services.support_add(initiative=initiative, by=request.user)
            messages.success(request, _("Merci : votre soutien est enregistré."))
    except AlreadyDone as done:
        messages.info(request, str(done))
    return redirect(initiative)


@require_POST
@network_only
def follow_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for(request, pk, "criees.follow_initiative")
    if request.POST.get("action") == "unfollow":
        unfollow(user=request.user, obj=initiative)
        messages.success(request, _("Vous ne suivez plus cette initiative."))
    else:
        follow(user=request.user, obj=initiative)
        messages.success(
            request, _("Vous suivez cette initiative : ses nouvelles vous seront signalées.")
        )
    return redirect(initiative)


# --- comments and moderation ---------------------------------------------------------------


@require_POST
@network_only
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for(request, pk, "criees.comment_initiative")
    form = CommentForm(
        request.POST, action=reverse("criees:comment-add", kwargs={"pk": initiative.pk})
    )
    if not form.is_valid():
        return render_detail(request, pk, comment_form=form)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(
            initiative=initiative, pk=form.cleaned_data["parent"]
        ).first()
    try:
        comment = services.comment_add(
            initiative=initiative, by=request.user, text=form.cleaned_data["text"], parent=parent
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{initiative.get_absolute_url()}#commentaires")
    messages.success(request, _("Votre commentaire est publié."))
    return redirect(comment_url(comment))


def _comment_for(request: HttpRequest, pk: int) -> Comment:
    visible = Initiative.objects.visible_to(request.user)
    return get_object_or_404(
        Comment.objects.filter(initiative__in=visible).select_related("initiative"), pk=pk
    )


@require_POST
@network_only
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for(request, pk)
    require(request, "criees.report_comment", comment)
    report_comment(request, comment)
    return redirect(f"{comment.initiative.get_absolute_url()}#commentaires")


@require_POST
@network_only
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "criees.moderate_comments")
    comment = _comment_for(request, pk)
    try:
        services.comment_moderate(
            comment=comment,
            by=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", "").replace("\x00", ""),  # as the reasons above
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La modération est enregistrée."))
    return redirect(safe_next(request, comment_url(comment)))


class ModerationView(NetworkMixin, RedirectView):
    """The criées' moderation is the one queue of every app, filtered to initiatives."""

    permission_required = "criees.moderate_comments"

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return f"{reverse('engagement:queue')}?type=initiatives-commentaires"


# --- interest ------------------------------------------------------------------------------


@require_POST
@network_only
def declare_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """ "We want to take it up" for the user's Caf, from the detail page (the whole form) or
    the live page (one click: the level only, the Caf's contact and comment are kept)."""
    initiative = initiative_for(request, pk, "criees.declare_interest")
    user = request.user
    may_replicate = user.is_lab_staff or (
        bool(user.caf_id) and user.has_perm("criees.declare_replicate", Caf(pk=user.caf_id))
    )
    form = InterestForm(
        request.POST,
        user=user,
        initiative=initiative,
        may_replicate=True,  # the choice is checked below: a forged "replicate" is a 403
        action=reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
    )
    back = safe_next(request, f"{initiative.get_absolute_url()}#interet")
    if not form.is_valid():
        form.fields["level"].choices = [
            c for c in InterestLevel.choices if may_replicate or c[0] != "replicate"
        ]
        return render_detail(request, pk, interest_form=form)
    caf = form.chosen_caf()
    level = form.cleaned_data["level"]
    if level == InterestLevel.REPLICATE:
        require(request, "criees.declare_replicate", caf)
    contact, comment = form.cleaned_data["contact_person"], form.cleaned_data["comment"]
    if request.POST.get("rapide"):
        existing = InterestDeclaration.objects.filter(initiative=initiative, caf=caf).first()
        if existing is not None:
            contact, comment = existing.contact_person, existing.comment
    criee = Criee.objects.filter(pk=request.POST.get("criee") or None).first()
    try:
        interest, outcome = services.interest_declare(
            initiative=initiative,
            caf=caf,
            by=user,
            level=level,
            contact_person=contact,
            comment=comment,
            criee=criee,
        )
    except ValidationError as error:
        level, text = messages.ERROR, " ".join(error.messages)
    else:
        if outcome == InterestOutcome.UNCHANGED:
            level, text = messages.INFO, _("Cette déclaration était déjà enregistrée.")
        else:
            level = messages.SUCCESS
            text = _("Intérêt de la %(caf)s enregistré : « %(level)s ». L’équipe est prévenue.") % {
                "caf": caf.name,
                "level": interest.get_level_display(),
            }
    if request.htmx and request.POST.get("rapide"):
        return _quick_interest_swap(
            request, initiative=initiative, caf=caf, criee=criee, back=back, announce=text
        )
    messages.add_message(request, level, text)
    return redirect(back)


QUICK_PLACES = ("ecran", "programme")


def _quick_interest_swap(
    request: HttpRequest,
    *,
    initiative: Initiative,
    caf: Caf,
    criee: Criee | None,
    back: str,
    announce: str,
) -> HttpResponse:
    """The live page's one-click block, swapped in place by htmx (the pressed button keeps its
    id, hence the focus), and what happened, out of band into the page's live region."""
    pitch = (
        Pitch.objects.filter(criee=criee, initiative=initiative)
        .select_related("initiative")
        .first()
        if criee is not None
        else None
    )
    if pitch is None:  # not from a criée's programme: the page it came from, reloaded
        messages.info(request, announce)
        return HttpResponseClientRedirect(back)
    user = request.user
    may_replicate = bool(user.caf_id) and user.has_perm("criees.declare_replicate", user.caf)
    pitch.own_level = (
        InterestDeclaration.objects.filter(initiative=initiative, caf=caf)
        .values_list("level", flat=True)
        .first()
        or ""
    )
    pitch.locked = pitch.own_level == InterestLevel.REPLICATE and not may_replicate
    place = request.POST.get("place")
    return render(
        request,
        "criees/includes/quick_interest_swap.html",
        {
            "pitch": pitch,
            "criee": criee,
            "levels": InterestLevel.choices,
            "may_replicate": may_replicate,
            "caf": caf,
            "place": place if place in QUICK_PLACES else "programme",
            "next": back,
            "announce": announce,
        },
    )


# --- promotion into the portfolio ----------------------------------------------------------


class PromoteView(NetworkMixin, FormView):
    """The lab turns the initiative into a portfolio project at the essaimage stage."""

    form_class = PromoteForm
    template_name = "criees/initiative_promote.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, "criees.view_catalogue")
        self.initiative = initiative_for(request, kwargs["pk"], "criees.promote_initiative")
        if self.initiative.project_id:
            messages.info(request, _("Cette initiative est déjà un projet du portefeuille."))
            return redirect(self.initiative)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        replicate = (
            InterestDeclaration.objects.replicate()
            .filter(initiative=self.initiative)
            .select_related("caf", "contact_person")
            .order_by("caf__position")
        )
        return super().get_context_data(
            initiative=self.initiative, replicate=list(replicate), **kwargs
        )

    def form_valid(self, form: PromoteForm) -> HttpResponse:
        try:
            project = services.initiative_promote(
                initiative=self.initiative,
                by=self.request.user,
                title=form.cleaned_data["title"],
                lead=form.cleaned_data["lead"],
            )
        except AlreadyDone as done:
            messages.info(self.request, str(done))
            return redirect(self.initiative)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le projet %(code)s est créé à l’étape essaimage, avec %(n)s déploiement(s).")
            % {"code": project.code, "n": project.deployments.count()},
        )
        return redirect(project)
