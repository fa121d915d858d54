"""Suggested themes: the last run and its themes, a new run, its progress (polled), and what
staff do with a theme (accept as a code, rename, merge, discard)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis import nlp, services
from analysis.forms import ThemeActionForm, ThemeRunForm
from analysis.models import AnalysisText, ThemeRun
from analysis.views.common import managed_analysis, managed_run, managed_theme


@login_required
def themes(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    run = ThemeRun.objects.filter(analysis=analysis).first()
    themes = list(run.themes.select_related("code", "merged_into")) if run else []
    example_ids = {i for theme in themes for i in theme.examples}
    examples = AnalysisText.objects.in_bulk(example_ids) if example_ids else {}
    for theme in themes:
        theme.example_texts = [examples[i] for i in theme.examples if i in examples]
        theme.others = [t for t in themes if t.pk != theme.pk and t.is_open]
    return render(
        request,
        "analysis/themes.html",
        {
            "analysis": analysis,
            "consultation": analysis.home,
            "run": run,
            "open_themes": [t for t in themes if t.is_open],
            "closed_themes": [t for t in themes if not t.is_open],
            "form": ThemeRunForm(),
            "pipeline_available": nlp.is_language_pipeline_available(),
        },
    )


@require_POST
@login_required
def themes_run(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = managed_analysis(request, pk)
    form = ThemeRunForm(request.POST)
    n_themes = form.cleaned_data["n_themes"] if form.is_valid() else services.themes.DEFAULT_THEMES
    services.themes_request(analysis=analysis, by=request.user, n_themes=n_themes)
    messages.success(request, _("Le calcul des thèmes est lancé."))
    return redirect("analysis:themes", pk=analysis.pk)


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's state: the fragment htmx polls while it runs, or the themes page."""
    run = managed_run(request, pk)
    if not request.htmx:
        return redirect("analysis:themes", pk=run.analysis_id)
    return render(request, "analysis/includes/run_progress.html", {"run": run})


@require_POST
@login_required
def theme_action(request: HttpRequest, pk: int) -> HttpResponse:
    theme = managed_theme(request, pk)
    form = ThemeActionForm(request.POST, theme=theme)
    if not form.is_valid():
        messages.warning(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("analysis:themes", pk=theme.run.analysis_id)
    action = form.cleaned_data["action"]
    if action == "accept":
        code = services.theme_accept(theme=theme, by=request.user, label=form.cleaned_data["label"])
        messages.success(
            request,
            _(
                "Le thème devient le code « %(code)s » ; ses textes l’ont en suggestion, "
                "à confirmer."
            )
            % {"code": code.label},
        )
    elif action == "rename":
        services.theme_rename(theme=theme, label=form.cleaned_data["label"])
        messages.success(request, _("Le thème est renommé."))
    elif action == "merge":
        target = services.theme_merge(theme=theme, into=form.cleaned_data["into"])
        messages.success(
            request, _("Thèmes fusionnés dans « %(label)s ».") % {"label": target.label}
        )
    else:
        services.theme_discard(theme=theme)
        messages.success(request, _("Le thème est écarté."))
    return redirect("analysis:themes", pk=theme.run.analysis_id)
