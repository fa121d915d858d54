"""The one moderation queue: what waits (held before publication, or hidden after reports)
and what was hidden, across every app, with bulk actions and a message to the authors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from caflab.core.errors import AlreadyDone
from caflab.engagement import services
from caflab.engagement.forms import BulkForm, QueueFilterForm
from caflab.engagement.moderation import ModerationKind, Row, kinds_for

# Rows shown at once: the newest first; the counts say how many more wait.
QUEUE_SIZE = 100


def _page(
    chosen: list[tuple[ModerationKind, models.QuerySet]], state: str
) -> tuple[list[Row], list[tuple[ModerationKind, int]]]:
    """The newest QUEUE_SIZE rows of the chosen kinds, and how many of each there are: two
    queries a kind (three with its reports), whatever the sizes."""
    rows: list[Row] = []
    counts = []
    for kind, scope in chosen:
        selected = kind.waiting(scope) if state == "waiting" else kind.hidden(scope)
        counts.append((kind, selected.count()))
        page = kind.prepare(selected.order_by("-updated_at", "-pk"))[:QUEUE_SIZE]
        rows.extend(kind.row(obj) for obj in page)
    rows.sort(key=lambda r: (r.updated_at, r.pk), reverse=True)
    return rows[:QUEUE_SIZE], counts


def _narrowed(moderated: list, cleaned: dict[str, Any], user: Any) -> tuple[list, str, str] | None:
    """The kinds a kind's own filter keeps (the contributions of one consultation), with what
    to call them and the parameter, when such a filter is given and names something `user`
    moderates; else None."""
    for kind, rows in moderated:
        narrowing = kind.narrowing
        if narrowing is None or not cleaned.get(narrowing.param):
            continue
        found = narrowing.apply(rows, cleaned[narrowing.param], user)
        if found is not None:
            return [(kind, found[0])], found[1], narrowing.param
    return None


def _render(request: HttpRequest, moderated: list, bulk_form: BulkForm | None = None) -> Any:
    kinds = [kind for kind, _rows in moderated]
    filters = QueueFilterForm(request.GET or None, kinds=kinds)
    chosen, state, narrowed = moderated, "waiting", None
    if filters.is_valid():
        if filters.cleaned_data["type"]:
            chosen = [(k, r) for k, r in moderated if k.key == filters.cleaned_data["type"]]
        state = filters.cleaned_data["etat"] or "waiting"
        narrowed = _narrowed(chosen, filters.cleaned_data, request.user)
        if narrowed is not None:
            chosen = narrowed[0]
    rows, counts = _page(chosen, state)
    if bulk_form is None:
        bulk_form = BulkForm(kinds=kinds)
    checked = set(bulk_form.data.getlist("items")) if bulk_form.is_bound else set()
    return render(
        request,
        "engagement/queue.html",
        {
            "filters": filters,
            "state": state,
            # "Contributions de « … »", and the queue without that filter
            "narrowed_label": narrowed[1] if narrowed else "",
            "unnarrowed_url": _without(request, narrowed[2]) if narrowed else "",
            "rows": rows,
            "counts": counts,
            "total": sum(n for _k, n in counts),
            "queue_size": QUEUE_SIZE,
            "bulk_form": bulk_form,
            "checked": checked,
            "next": request.get_full_path(),
        },
        status=400 if bulk_form.is_bound else 200,
    )


def _without(request: HttpRequest, param: str) -> str:
    query = request.GET.copy()
    query.pop(param, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    moderated = kinds_for(request.user)
    if not moderated:
        raise PermissionDenied
    if request.method != "POST":
        return _render(request, moderated)
    form = BulkForm(request.POST, kinds=[k for k, _r in moderated])
    if not form.is_valid():
        return _render(request, moderated, bulk_form=form)
    action, message = form.cleaned_data["action"], form.cleaned_data["message"]
    scopes = dict((k.key, (k, r)) for k, r in moderated)
    done = skipped = 0
    for key, pks in form.cleaned_data["items"].items():
        kind, scope = scopes[key]
        if action not in kind.actions:
            skipped += len(pks)
            continue
        # Only rows this person moderates: another Caf's comment is skipped, not acted on.
        allowed = list(scope.filter(pk__in=pks).values_list("pk", flat=True))
        result = kind.apply(allowed, request.user, action, message)
        done += len(result.done)
        skipped += result.skipped + len(pks) - len(allowed)
    if done:
        messages.success(
            request,
            _("%(n)s élément(s) traité(s) : %(action)s.")
            % {"n": done, "action": str(dict(form.fields["action"].choices)[action]).lower()},
        )
    if skipped:
        messages.info(
            request,
            _("%(n)s élément(s) déjà dans cet état ou non concerné(s) par cette action.")
            % {"n": skipped},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = request.path
    return redirect(target)


def report_comment(request: HttpRequest, comment: models.Model) -> None:
    """An app's "Signaler" button, once the app found the comment and allowed the person: the
    report is recorded with its reason and the person is told it was (or already was)."""
    try:
        services.comment_report(
            comment=comment,
            by=request.user,
            # A free reason without a form: NUL cannot reach PostgreSQL (a DataError).
            reason=request.POST.get("reason", "").replace("\x00", ""),
        )
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(request, _("Merci : le commentaire est signalé à la modération."))
