"""The kit's pages: add a document to a project or an initiative, a document's page with its
versions (and the form for the next one), downloads (a version, a kit's template), the checklist
ticks, the fiche d'essaimage (read, edit, PDF). Each view finds the holder in the user's scope
(hidden → 404), checks the action's rule (refused → 403) and calls one service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from caflab.core import errors
from caflab.core.uploads import DOCUMENTS, download_response
from criees.models import Initiative, InitiativeMember
from kits.forms import DocumentForm, GuideForm, VersionForm
from kits.models import Deliverable, Document, DocumentVersion
from kits.services import deliverables, documents, guides
from projects.models import Project, TeamMember

Holder = Project | Initiative


# --- finding the holder in the user's scope ------------------------------------------------


def project_for(request: HttpRequest, code: str) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user)
        .select_related("pilot_caf")
        .prefetch_related(
            Prefetch("team_members", queryset=TeamMember.objects.only("pk", "project", "user"))
        ),
        code=code,
    )


def initiative_for(request: HttpRequest, pk: int) -> Initiative:
    return get_object_or_404(
        Initiative.objects.visible_to(request.user)
        .select_related("caf")
        .prefetch_related(
            Prefetch("members", queryset=InitiativeMember.objects.only("pk", "initiative", "user"))
        ),
        pk=pk,
    )


def _holder(request: HttpRequest, kwargs: dict[str, Any]) -> Holder:
    if "code" in kwargs:
        return project_for(request, kwargs["code"])
    return initiative_for(request, kwargs["pk"])


def _may_edit(request: HttpRequest, holder: Holder, perm: str = "kits.edit_holder") -> None:
    if not request.user.has_perm(perm, holder):
        raise PermissionDenied


def _holder_label(holder: Holder) -> str:
    return holder.code if isinstance(holder, Project) else holder.title


def _document_for(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(
        Document.objects.visible_to(request.user).select_related(
            "project__pilot_caf", "initiative__caf", "created_by"
        ),
        pk=pk,
    )
    # The holder again with what its rules read (the team), in the user's scope.
    if document.project_id:
        document.project = project_for(request, document.project.code)
    else:
        document.initiative = initiative_for(request, document.initiative_id)
    return document


# --- documents -------------------------------------------------------------------------------


class DocumentAddView(LoginRequiredMixin, View):
    """A new document of a project (`code`) or an initiative (`pk`), with its first version."""

    template_name = "kits/document_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.holder = _holder(request, kwargs)
        _may_edit(request, self.holder, "kits.add_documents")
        return super().dispatch(request, *args, **kwargs)

    def _page(self, form: DocumentForm) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "holder": self.holder, "holder_label": _holder_label(self.holder)},
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._page(DocumentForm())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(form)
        data = form.cleaned_data
        try:
            document = documents.document_add(
                holder=self.holder,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                upload=data["file"],
                by=request.user,
            )
        except errors.AlreadyDone as exc:
            form.add_error("title", str(exc.message))
            return self._page(form)
        except (errors.InvalidState, ValidationError) as exc:
            form.add_error(None, exc)
            return self._page(form)
        messages.success(request, _("Le document est ajouté (version 1)."))
        return redirect(document)


def _document_page(
    request: HttpRequest, document: Document, *, form: VersionForm | None = None
) -> HttpResponse:
    holder = document.holder
    can_edit = request.user.has_perm("kits.add_documents", holder)
    if can_edit and form is None:
        form = VersionForm(action=reverse("kits:version-add", kwargs={"pk": document.pk}))
    context = {
        "document": document,
        "holder": holder,
        "holder_label": _holder_label(holder),
        "versions": list(document.versions.select_related("uploaded_by")),
        "form": form if can_edit else None,
    }
    return render(request, "kits/document_detail.html", context)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_page(request, _document_for(request, pk))


@login_required
@require_POST
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    _may_edit(request, document.holder, "kits.add_documents")
    form = VersionForm(
        request.POST,
        request.FILES,
        action=reverse("kits:version-add", kwargs={"pk": document.pk}),
    )
    if not form.is_valid():
        return _document_page(request, document, form=form)
    try:
        version = documents.document_version_add(
            document=document,
            upload=form.cleaned_data["file"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except errors.AlreadyDone as exc:
        messages.info(request, str(exc.message))
        return redirect(document)
    except ValidationError as exc:
        form.add_error("file", exc)
        return _document_page(request, document, form=form)
    messages.success(request, _("La version %(number)s est déposée.") % {"number": version.number})
    return redirect(document)


@login_required
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        DocumentVersion.objects.filter(document__in=Document.objects.visible_to(request.user)),
        pk=pk,
    )
    return download_response(version.file, filename=version.name, kinds=DOCUMENTS)


@login_required
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("kits.download_template"):
        raise PermissionDenied
    deliverable = get_object_or_404(Deliverable.objects.active().exclude(template=""), pk=pk)
    return download_response(
        deliverable.template,
        filename=deliverable.template_name or f"modele-{slugify(deliverable.label)}",
        kinds=DOCUMENTS,
    )


@login_required
@require_POST
def deliverable_check(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Tick (action=check) or untick (action=uncheck) a checklist item of the project's kit."""
    project = project_for(request, code)
    if not request.user.has_perm("kits.check_deliverable", project):
        raise PermissionDenied
    deliverable = get_object_or_404(Deliverable.objects.active(), pk=pk)
    checked = request.POST.get("action") != "uncheck"
    try:
        deliverables.deliverable_check(
            project=project, deliverable=deliverable, by=request.user, checked=checked
        )
    except errors.DomainError as exc:
        messages.info(request, str(exc.message))
    else:
        messages.success(
            request, _("Le point est coché.") if checked else _("Le point n’est plus coché.")
        )
    return redirect(f"{project.get_absolute_url()}#kit")


# --- the fiche d'essaimage -------------------------------------------------------------------


def _guide_holder(request: HttpRequest, kwargs: dict[str, Any]) -> Holder:
    holder = _holder(request, kwargs)
    if not guides.has_guide(holder):
        raise Http404(_("Pas de fiche d’essaimage à cette étape."))
    return holder


def _guide_urls(holder: Holder) -> dict[str, str]:
    prefix = "kits:project-guide" if isinstance(holder, Project) else "kits:initiative-guide"
    kwargs = {"code": holder.code} if isinstance(holder, Project) else {"pk": holder.pk}
    return {
        "read": reverse(prefix, kwargs=kwargs),
        "update": reverse(f"{prefix}-update", kwargs=kwargs),
        "pdf": reverse(f"{prefix}-pdf", kwargs=kwargs),
    }


@login_required
def guide_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    holder = _guide_holder(request, kwargs)
    guide = guides.guide_of(holder)
    context = {
        **guides.guide_context(guide, holder),
        "urls": _guide_urls(holder),
        "can_edit": request.user.has_perm("kits.edit_holder", holder),
        "is_project": isinstance(holder, Project),
    }
    return render(request, "kits/guide_detail.html", context)


class GuideUpdateView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.holder = _guide_holder(request, kwargs)
        _may_edit(request, self.holder)
        self.guide = guides.guide_of(self.holder)
        self.documents = Document.objects.of(self.holder).order_by("kind", "title", "pk")
        return super().dispatch(request, *args, **kwargs)

    def _page(self, form: GuideForm) -> HttpResponse:
        context = {
            "form": form,
            "holder": self.holder,
            "holder_label": _holder_label(self.holder),
            "urls": _guide_urls(self.holder),
        }
        return render(self.request, "kits/guide_form.html", context)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._page(GuideForm(instance=self.guide, documents=self.documents))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = GuideForm(request.POST, instance=self.guide, documents=self.documents)
        if not form.is_valid():
            return self._page(form)
        try:
            guides.guide_save(
                holder=self.holder,
                by=request.user,
                fields=form.cleaned_data,
                documents=list(form.cleaned_data["documents"]),
            )
        except errors.InvalidState as exc:
            form.add_error(None, exc)
            return self._page(form)
        messages.success(request, _("La fiche d’essaimage est enregistrée."))
        return redirect(_guide_urls(self.holder)["read"])


@login_required
def guide_pdf(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    holder = _guide_holder(request, kwargs)
    pdf = guides.guide_pdf(guides.guide_of(holder), holder)
    reference = holder.code if isinstance(holder, Project) else f"initiative-{holder.pk}"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"fiche-essaimage-{reference}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
