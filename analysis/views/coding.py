"""Coding: the filtered, paginated list of texts, a code applied to or removed from one text
(a button, or its keyboard shortcut: static/js/analysis-coding.js), and a code applied to the
whole filtered selection in one action."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis import services
from analysis.filters import TextFilter
from analysis.forms import BulkApplyForm, TextCodeForm
from analysis.models import Analysis, AnalysisText, CodeAssignment
from analysis.views.common import managed_analysis, managed_text

PAGE_SIZE = 25
FILTER_KEYS = ("q", "question", "source", "audience", "caf", "wave", "code", "personal", "groups")


def _texts(analysis: Analysis):
    return AnalysisText.objects.filter(analysis=analysis).order_by("pk")


def _row_data(queryset):
    return queryset.select_related("question", "caf").prefetch_related(
        Prefetch(
            "assignments",
            queryset=CodeAssignment.objects.select_related("code").order_by(
                "code__position", "code_id"
            ),
        )
    )


@login_required
def coding(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    text_filter = TextFilter(request.GET or None, queryset=_texts(analysis), analysis=analysis)
    paginator = Paginator(_row_data(text_filter.qs), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    codes = list(analysis.codes.select_related("parent").order_by("position", "pk"))
    filters = {key: request.GET.get(key, "") for key in FILTER_KEYS if request.GET.get(key)}
    return render(
        request,
        "analysis/coding.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "filter": text_filter,
            "is_filtered": bool(filters),
            "filters": filters,
            "object_list": page.object_list,
            "page_obj": page,
            "codes": codes,
            "bulk_form": BulkApplyForm(analysis=analysis),
            "may_see_original": request.user.has_perm("analysis.see_unmasked_text", analysis),
            "filter_waves": len(analysis.waves) > 1,
            "back": request.get_full_path(),
        },
    )


@require_POST
@login_required
def text_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply, remove or toggle a code on one text (and its duplicates). htmx or the page's
    script get the text's codes back; without script, the list again with a message."""
    text = managed_text(request, pk)
    form = TextCodeForm(request.POST, analysis=text.analysis)
    if not form.is_valid():
        return HttpResponse(_("Choisissez un code."), status=400)
    code, action = form.cleaned_data["code"], form.cleaned_data["action"]
    if action == "toggle":
        applied = CodeAssignment.objects.filter(text=text, code=code, is_suggested=False).exists()
        action = "remove" if applied else "apply"
    if action == "apply":
        services.code_apply(text=text, code=code, by=request.user)
        done = _("Code « %(code)s » appliqué au texte %(n)s.")
    else:
        services.code_remove(text=text, code=code, by=request.user)
        done = _("Code « %(code)s » retiré du texte %(n)s.")
    announcement = done % {"code": code.label, "n": text.pk}
    if request.htmx:
        assignments = CodeAssignment.objects.filter(text=text).select_related("code")
        response = render(
            request,
            "analysis/includes/text_codes.html",
            {
                "text": text,
                "assignments": assignments.order_by("code__position", "code_id"),
                "announcement": announcement,
            },
        )
        return response
    messages.success(request, announcement)
    return redirect(_back(request, text.analysis_id))


def _back(request: HttpRequest, analysis_id: int) -> str:
    coding_url = reverse("analysis:coding", kwargs={"pk": analysis_id})
    back = request.POST.get("next", "")
    return back if back.startswith(coding_url) else coding_url


@require_POST
@login_required
def bulk_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a code to every text the posted filters select (all pages), in one statement."""
    analysis = managed_analysis(request, pk)
    form = BulkApplyForm(request.POST, analysis=analysis)
    filters = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        if request.POST.get(key):
            filters[key] = request.POST[key]
    back = reverse("analysis:coding", kwargs={"pk": analysis.pk})
    back += f"?{urlencode(filters)}" if filters else ""
    if not form.is_valid():
        messages.warning(request, _("Choisissez le code à appliquer."))
        return redirect(back)
    text_filter = TextFilter(filters, queryset=_texts(analysis), analysis=analysis)
    if not text_filter.is_valid():
        messages.warning(request, _("Les filtres de la sélection ne sont pas valides."))
        return redirect(back)
    code = form.cleaned_data["apply_code"]
    n = services.codes_apply_bulk(code=code, texts=text_filter.qs, by=request.user)
    if n:
        messages.success(
            request,
            _("Code « %(code)s » appliqué à %(n)s textes (doublons compris).")
            % {"code": code.label, "n": n},
        )
    else:
        messages.info(request, _("Déjà fait : ces textes portaient déjà ce code."))
    return redirect(back)
