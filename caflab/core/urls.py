from django.urls import path

from caflab.core import metrics, typeahead, views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Prometheus scrapes: a 404 unless the bearer token or an allowed address is shown.
    path("metrics", metrics.metrics, name="metrics"),
    path("accessibilite/", views.AccessibilityView.as_view(), name="accessibility"),
    path("mentions-legales/", views.LegalView.as_view(), name="legal"),
    path("donnees-personnelles/", views.PrivacyView.as_view(), name="privacy"),
    path("healthz", views.health, name="health"),
    path("readyz", views.readiness, name="readyz"),
    path("exploitation/", views.OperationsView.as_view(), name="operations"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("suggestions/<slug:source>/", typeahead.suggest, name="typeahead"),
]
