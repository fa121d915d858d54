"""Lookups every analysis view shares: visible (the consultation's managers; else 404), then
allowed (else 403)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from analysis import permissions  # noqa: F401  (registers the app's rules)
from analysis.models import Analysis, AnalysisText, Code, SuggestedTheme, ThemeRun


def managed_analysis(request: HttpRequest, pk: int) -> Analysis:
    analysis = get_object_or_404(
        Analysis.objects.visible_to(request.user).select_related("consultation__caf"), pk=pk
    )
    if not request.user.has_perm("analysis.manage_analysis", analysis):
        raise PermissionDenied
    return analysis


def managed_code(request: HttpRequest, pk: int) -> Code:
    code = get_object_or_404(Code.objects.select_related("parent"), pk=pk)
    code.analysis = managed_analysis(request, code.analysis_id)
    return code


def managed_text(request: HttpRequest, pk: int) -> AnalysisText:
    text = get_object_or_404(AnalysisText, pk=pk)
    text.analysis = managed_analysis(request, text.analysis_id)
    return text


def managed_theme(request: HttpRequest, pk: int) -> SuggestedTheme:
    theme = get_object_or_404(SuggestedTheme.objects.select_related("run"), pk=pk)
    theme.run.analysis = managed_analysis(request, theme.run.analysis_id)
    return theme


def managed_run(request: HttpRequest, pk: int) -> ThemeRun:
    run = get_object_or_404(ThemeRun, pk=pk)
    run.analysis = managed_analysis(request, run.analysis_id)
    return run
