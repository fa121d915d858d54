from django.urls import path

from caflab.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accessibilite/", views.AccessibilityView.as_view(), name="accessibility"),
    path("mentions-legales/", views.LegalView.as_view(), name="legal"),
    path("donnees-personnelles/", views.PrivacyView.as_view(), name="privacy"),
    path("healthz", views.health, name="health"),
]
