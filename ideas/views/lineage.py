"""Turning a source (a contribution, an initiative…: projects.origins) into an idea."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core.errors import AlreadyDone
from ideas.services import lineage
from projects.origins import kind_named


@require_POST
@login_required
def idea_from_origin(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """The source's page offers it to whoever may (the kind's `may_convert`); a source they
    cannot see is 404, one they see but may not turn into an idea 403."""
    kind = kind_named(model)
    if kind is None:
        raise Http404
    source = get_object_or_404(kind.model_class, pk=pk)
    if not kind.visible_to(request.user, source):
        raise Http404
    if not kind.may_convert(request.user, source):
        raise PermissionDenied
    try:
        idea = lineage.idea_from_origin(source=source, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
        return redirect(source.get_absolute_url())
    messages.success(
        request,
        _("L'idée « %(title)s » est créée ; ses contributeurs en sont informés.")
        % {"title": idea.title},
    )
    return redirect(idea)
