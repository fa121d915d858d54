"""Routes of the evaluation app: reports (see evaluation/urls.py)."""

from django.urls import path

from evaluation.views import reports

urlpatterns: list = [
    path("projets/<str:code>/rapports/", reports.report_list, name="report-list"),
    path("projets/<str:code>/rapports/demander/", reports.report_create, name="report-create"),
    path(
        "rapports/portefeuille/demander/",
        reports.portfolio_report_create,
        name="portfolio-report-create",
    ),
    path("rapports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("rapports/<int:pk>/pdf/", reports.report_download, name="report-download"),
    path("rapports/<int:pk>/publier/", reports.report_publish, name="report-publish"),
    path("rapports/<int:pk>/relancer/", reports.report_retry, name="report-retry"),
    path("projets/<str:code>/recommandations/", reports.recommendations, name="recommendations"),
    path(
        "recommandations/<int:pk>/modifier/",
        reports.recommendation_update,
        name="recommendation-update",
    ),
    path("recommandations/<int:pk>/reponse/", reports.response_edit, name="response-edit"),
]
