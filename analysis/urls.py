from django.urls import path

from analysis.views import agreement, analyses, coding, results, themes

app_name = "analysis"

urlpatterns = [
    # a consultation's analysis: opened, or created (POST)
    path("consultations/<int:pk>/", analyses.start, name="start"),
    # the analysis of a registered source's subject (analysis.sources): opened, or created
    path("sources/<slug:source>/<int:pk>/", analyses.source_start, name="source-start"),
    path("<int:pk>/", analyses.detail, name="detail"),
    path("<int:pk>/textes/", analyses.rebuild, name="rebuild"),
    # the codebook
    path("<int:pk>/codes/", analyses.codebook, name="codebook"),
    path("<int:pk>/codes/copier/", analyses.codebook_copy, name="codebook-copy"),
    path("<int:pk>/codes/bibliotheque/", analyses.library_copy, name="library-copy"),
    path("<int:pk>/codes/publier/", analyses.library_publish, name="library-publish"),
    path("codes/<int:pk>/modifier/", analyses.code_update, name="code-update"),
    path("codes/<int:pk>/supprimer/", analyses.code_delete, name="code-delete"),
    path("codes/<int:pk>/suggestions/", analyses.code_suggestions, name="code-suggestions"),
    # coding
    path("<int:pk>/codage/", coding.coding, name="coding"),
    path("<int:pk>/codage/appliquer/", coding.bulk_apply, name="bulk-apply"),
    path("textes/<int:pk>/code/", coding.text_code, name="text-code"),
    # suggested themes
    path("<int:pk>/themes/", themes.themes, name="themes"),
    path("<int:pk>/themes/calculer/", themes.themes_run, name="themes-run"),
    path("calculs/<int:pk>/", themes.run_progress, name="run-progress"),
    path("themes/<int:pk>/", themes.theme_action, name="theme-action"),
    # quality of coding: a sample coded blind by two people, their agreement per code
    path("<int:pk>/accord/", agreement.agreement, name="agreement"),
    path("<int:pk>/accord/echantillon/", agreement.sample_draw, name="agreement-sample"),
    path("<int:pk>/accord/codage/", agreement.blind_coding, name="blind-coding"),
    path("textes/<int:pk>/double-codage/", agreement.blind_code, name="blind-code"),
    # results and export
    path("<int:pk>/resultats/", results.results, name="results"),
    path("<int:pk>/export/<str:fmt>/", results.export, name="export"),
    path("exports/<int:pk>/", results.export_detail, name="export-detail"),
    path("exports/<int:pk>/telecharger/", results.export_download, name="export-download"),
    path("exports/<int:pk>/relancer/", results.export_retry, name="export-retry"),
]
