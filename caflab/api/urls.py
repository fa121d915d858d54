from django.urls import path

from caflab.api import views

app_name = "api"

urlpatterns = [
    path("jetons/nouveau/", views.token_create_view, name="token-create"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke_view, name="token-revoke"),
    path("v1/docs/", views.docs, name="docs"),
    # Before django-ninja's own (empty) root, which caflab/urls.py includes after this file.
    path("v1/", views.root, name="root"),
]
