"""Turning a source (a contribution, an initiative…: projects.origins) into an idea, or
attaching it to an existing project."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.core.errors import AlreadyDone
from ideas.services import lineage
from projects.models import Project
from projects.origins import OriginKind, kind_named


class AttachForm(forms.Form):
    """The code of the project to attach a source to (the panel's small form)."""

    project = forms.CharField(max_length=20)


def _convertible(request: HttpRequest, model: str, pk: int) -> tuple[OriginKind, object]:
    """The source, if the kind is known and the user sees it (else 404) and may turn it into
    something (else 403)."""
    kind = kind_named(model)
    if kind is None:
        raise Http404
    source = get_object_or_404(kind.model_class, pk=pk)
    if not kind.visible_to(request.user, source):
        raise Http404
    if not kind.may_convert(request.user, source):
        raise PermissionDenied
    return kind, source


@require_POST
@login_required
def idea_from_origin(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """The source's page offers it to whoever may (the kind's `may_convert`); a source they
    cannot see is 404, one they see but may not turn into an idea 403."""
    _kind, source = _convertible(request, model, pk)
    try:
        idea = lineage.idea_from_origin(source=source, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
        return redirect(source.get_absolute_url())
    messages.success(
        request,
        _("L’idée « %(title)s » est créée ; ses contributeurs en sont informés.")
        % {"title": idea.title},
    )
    return redirect(idea)


@require_POST
@login_required
def origin_attach(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """Attach the source to an existing project, named by its code among the projects the
    user sees; an unknown code is refused with the code typed kept in the message."""
    _kind, source = _convertible(request, model, pk)
    form = AttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le code du projet (par exemple INNO-2026-012)."))
        return redirect(source.get_absolute_url())
    code = form.cleaned_data["project"].upper()
    project = Project.objects.visible_to(request.user).filter(code=code).first()
    if project is None:
        messages.error(
            request,
            _("Aucun projet que vous pouvez voir ne porte le code « %(code)s ».") % {"code": code},
        )
        return redirect(source.get_absolute_url())
    try:
        lineage.origin_attach(source=source, project=project, by=request.user)
    except AlreadyDone as done:
        messages.info(request, str(done))
        return redirect(source.get_absolute_url())
    messages.success(
        request,
        _("Rattaché au projet « %(title)s » ; ses contributeurs en sont informés.")
        % {"title": project.title},
    )
    return redirect(source.get_absolute_url())


@require_POST
@login_required
def origin_follow(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """Someone who took part in a source (a supporter, someone who came…) stops hearing of what
    it becomes, or hears of it again ("action": "stop" or "resume"). Its authors are always
    told, so they have nothing to stop; a source they do not see is 404."""
    kind = kind_named(model)
    if kind is None:
        raise Http404
    source = get_object_or_404(kind.model_class, pk=pk)
    if not kind.visible_to(request.user, source):
        raise Http404
    if lineage.follow_state(kind, source, request.user) is None:
        raise PermissionDenied
    try:
        if request.POST.get("action") == "resume":
            lineage.origin_refollow(source=source, user=request.user)
            messages.success(request, _("Vous serez de nouveau informé de la suite donnée."))
        else:
            lineage.origin_unfollow(source=source, user=request.user)
            messages.success(request, _("Vous ne recevrez plus de nouvelles de la suite donnée."))
    except AlreadyDone as done:
        messages.info(request, str(done))
    return redirect(source.get_absolute_url())
