"""An analysis: started from its consultation or from a registered source's subject (a
project's testimonies, an evaluation survey), its overview, its texts copied again, and its
codebook (codes, copy from another analysis or from the lab's shared library, published to
that library by the lab, suggestions confirmed or dismissed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis import services
from analysis.forms import CodeForm, CopyForm, LibraryCopyForm, LibraryPublishForm
from analysis.models import Analysis, AnalysisHome, LibraryCodebook, ThemeRun
from analysis.services.texts import group_counts, source_count
from analysis.sources import get_source
from analysis.typeahead import copyable_analyses
from analysis.views.common import managed_analysis, managed_code
from caflab.core.errors import InvalidState
from ecoute.models import Consultation

# The most recent library codebooks and analyses listed on a codebook page; the others are found
# by typing in the pickers (analysis.typeahead), so the page costs the same with thousands.
LIBRARY_SHOWN = 10
RECENT_SHOWN = 5


@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultation's analysis: opened when it exists, created on POST."""
    consultation = get_object_or_404(Consultation.objects.managed_by(request.user), pk=pk)
    if not request.user.has_perm("analysis.analyse_consultation", consultation):
        raise PermissionDenied
    existing = Analysis.objects.filter(consultation=consultation).first()
    if existing is not None:
        return redirect(existing)
    if request.method == "POST":
        analysis = services.analysis_create(consultation=consultation, by=request.user)
        messages.success(request, _("L’analyse est créée."))
        return redirect(analysis)
    return render(
        request,
        "analysis/start.html",
        {
            "consultation": AnalysisHome.of_consultation(consultation),
            "heading": _("Analyser les textes de la consultation"),
            "what": _("réponses écrites, réponses « autre, précisez » et contributions"),
            "n_sources": source_count(consultation),
        },
    )


@login_required
def source_start(request: HttpRequest, source: str, pk: int) -> HttpResponse:
    """The analysis of a registered source's subject (a project's testimonies, an evaluation
    survey's open answers): opened when it exists, created on POST. A subject the person may
    not analyse is 404, like a hidden consultation."""
    the_source = get_source(source)
    if the_source is None:
        raise Http404
    subject = the_source.model._default_manager.filter(
        pk=pk, pk__in=the_source.analysable_by(request.user)
    ).first()
    if subject is None:
        raise Http404
    if not the_source.may_analyse(request.user, subject):
        raise PermissionDenied
    existing = Analysis.objects.filter(source=the_source.key, subject_id=subject.pk).first()
    if existing is not None:
        return redirect(existing)
    if request.method == "POST":
        analysis = services.analysis_create_for(source=the_source, subject=subject, by=request.user)
        messages.success(request, _("L’analyse est créée."))
        return redirect(analysis)
    trail_label, trail_url, url = the_source.page(subject)
    return render(
        request,
        "analysis/start.html",
        {
            "consultation": AnalysisHome(the_source.title(subject), url, trail_label, trail_url),
            "heading": _("Analyser les textes : %(source)s") % {"source": the_source.label},
            "what": the_source.label.lower(),
            "n_sources": the_source.count(subject),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    return render(
        request,
        "analysis/analysis_detail.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "counts": group_counts(analysis),
            "n_codes": analysis.codes.count(),
            "last_run": ThemeRun.objects.filter(analysis=analysis).first(),
        },
    )


@require_POST
@login_required
def rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    analysis = services.texts_request(analysis=analysis)
    if analysis.texts_status == Analysis.TextsStatus.BUILDING:
        messages.info(
            request, _("Les textes sont en cours de rassemblement ; revenez dans un instant.")
        )
    else:
        messages.success(
            request, _("Les textes sont à jour : %(n)s textes.") % {"n": analysis.n_texts}
        )
    return redirect(analysis)


def _codebook_context(request: HttpRequest, analysis: Analysis, form: CodeForm) -> dict:
    codes = list(
        analysis.codes.select_related("parent")
        .annotate(
            n_confirmed=Count("assignments", filter=Q(assignments__is_suggested=False)),
            n_suggested=Count("assignments", filter=Q(assignments__is_suggested=True)),
        )
        .order_by("position", "pk")
    )
    themes = [c for c in codes if c.parent_id is None]
    for theme in themes:
        theme.subcodes = [c for c in codes if c.parent_id == theme.pk]
    sources = copyable_analyses(request.user, analysis.pk)
    recent_sources = list(sources.order_by("-created_at", "-pk")[:RECENT_SHOWN])
    return {
        "analysis": analysis,
        "consultation": analysis.home,
        "themes": themes,
        "form": form,
        "copy_form": CopyForm(sources=sources, analysis=analysis),
        "recent_sources": recent_sources,
        "library_form": LibraryCopyForm(),
        "library": list(LibraryCodebook.objects.order_by("-created_at", "-pk")[:LIBRARY_SHOWN]),
        "publish_form": (
            LibraryPublishForm(initial={"title": analysis.display_title[:120]})
            if request.user.has_perm("analysis.publish_codebook", analysis) and themes
            else None
        ),
    }


@login_required
def codebook(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    form = CodeForm(
        request.POST or None,
        analysis=analysis,
        submit=_("Ajouter le code"),
        initial={"colour": "#0b5cad"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            code = services.code_create(
                analysis=analysis, parent=form.cleaned_data.pop("parent"), **form.cleaned_data
            )
        except InvalidState as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Le code « %(label)s » est ajouté.") % {"label": code.label}
            )
            return redirect("analysis:codebook", pk=analysis.pk)
    return render(request, "analysis/codebook.html", _codebook_context(request, analysis, form))


@login_required
def code_update(request: HttpRequest, pk: int) -> HttpResponse:
    code = managed_code(request, pk)
    form = CodeForm(
        request.POST or None, instance=code, analysis=code.analysis, submit=_("Enregistrer")
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.code_update(code=code, parent=data.pop("parent"), **data)
        except InvalidState as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Le code est enregistré."))
            return redirect("analysis:codebook", pk=code.analysis_id)
    return render(
        request,
        "analysis/code_form.html",
        {
            "code": code,
            "analysis": code.analysis,
            "consultation": code.analysis.home,
            "form": form,
        },
    )


@require_POST
@login_required
def code_delete(request: HttpRequest, pk: int) -> HttpResponse:
    code = managed_code(request, pk)
    services.code_delete(code=code)
    messages.success(request, _("Le code « %(label)s » est supprimé.") % {"label": code.label})
    return redirect("analysis:codebook", pk=code.analysis_id)


@require_POST
@login_required
def codebook_copy(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    form = CopyForm(
        request.POST, sources=copyable_analyses(request.user, analysis.pk), analysis=analysis
    )
    if not form.is_valid():
        messages.warning(
            request,
            " ".join(form.errors.get("source", []))
            or _("Choisissez l’analyse dont copier la grille."),
        )
    else:
        n = services.codebook_copy(source=form.cleaned_data["source"], target=analysis)
        messages.success(request, _("%(n)s codes copiés.") % {"n": n})
    return redirect("analysis:codebook", pk=analysis.pk)


@require_POST
@login_required
def library_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a codebook of the lab's shared library into this analysis' codebook."""
    analysis = managed_analysis(request, pk)
    form = LibraryCopyForm(request.POST)
    if not form.is_valid():
        messages.warning(
            request,
            " ".join(form.errors.get("codebook", []))
            or _("Choisissez la grille de la bibliothèque à copier."),
        )
    else:
        n = services.codebook_copy_from_library(
            codebook=form.cleaned_data["codebook"], target=analysis
        )
        messages.success(request, _("%(n)s codes copiés.") % {"n": n})
    return redirect("analysis:codebook", pk=analysis.pk)


@require_POST
@login_required
def library_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab puts a snapshot of this codebook in its shared library."""
    analysis = managed_analysis(request, pk)
    if not request.user.has_perm("analysis.publish_codebook", analysis):
        raise PermissionDenied
    form = LibraryPublishForm(request.POST)
    if not form.is_valid():
        messages.warning(request, _("Indiquez le titre de la grille dans la bibliothèque."))
    else:
        try:
            codebook = services.library_publish(
                analysis=analysis, by=request.user, **form.cleaned_data
            )
        except InvalidState as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("La grille « %(title)s » est dans la bibliothèque du CafLab.")
                % {"title": codebook.title},
            )
    return redirect("analysis:codebook", pk=analysis.pk)


@require_POST
@login_required
def code_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (or dismiss) every suggestion of a code at once."""
    code = managed_code(request, pk)
    if request.POST.get("action") == "dismiss":
        n = services.suggestions_dismiss(code=code)
        messages.success(request, _("%(n)s suggestions écartées.") % {"n": n})
    else:
        n = services.suggestions_confirm(code=code, by=request.user)
        messages.success(request, _("%(n)s suggestions confirmées.") % {"n": n})
    return redirect("analysis:codebook", pk=code.analysis_id)
